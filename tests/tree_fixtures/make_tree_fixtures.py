"""Records keras.tree's answers on small structures, for tests/test_tree.py.

Run from the repository root with the Keras venv (the test suite itself never imports Keras):

    KERAS_BACKEND=torch path/to/kerasvenv/bin/python tests/tree_fixtures/make_tree_fixtures.py

keras.tree is pointed at its optree implementation, the one Keras uses on every backend but torch
(torch's pytree variant does not sort the keys of nested dicts). It writes tests/tree_fixtures/keras_tree.json: for each case, the repr of Keras' result or the name
of the exception it raised. The cases live in tests/tree_fixtures/tree_cases.py, shared with the test.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import keras  # noqa: E402
from keras.src.tree import optree_impl, tree_api  # noqa: E402
from tree_cases import CASES  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    tree_api.tree_impl = optree_impl
    results = {}
    for name, run in CASES.items():
        try:
            results[name] = repr(run(keras.tree))
        except Exception as error:  # noqa: BLE001 - the exception's kind is the recorded answer
            results[name] = f"raises {type(error).__name__}"
    with open(os.path.join(HERE, "keras_tree.json"), "w") as file:
        json.dump(results, file, indent=1, sort_keys=True)
    print(f"wrote {len(results)} cases")


if __name__ == "__main__":
    main()
