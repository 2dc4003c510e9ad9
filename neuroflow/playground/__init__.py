"""The Neural Network Playground on neuroflow's engine: TensorFlow Playground's features in the browser.

`neuroflow playground` (or `python -m neuroflow.playground`) serves the page on 127.0.0.1; the
server needs the `playground` extra (Starlette, Uvicorn, websockets). The modules below the
server (`config`, `datasets`, `features`, `csv_dataset`, `network`, `session`, `export`) use
only neuroflow and NumPy.
"""
