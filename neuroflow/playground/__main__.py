"""`neuroflow playground` / `python -m neuroflow.playground`: serves the playground on 127.0.0.1."""
import argparse
import sys
import threading
import webbrowser

DEFAULT_PORT = 8765


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="neuroflow playground",
                                     description="The Neural Network Playground, trained by neuroflow, in your browser.")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"the port on 127.0.0.1 (default {DEFAULT_PORT})")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    return parser.parse_args(argv)


def main(argv=None):
    """Starts the server (until Ctrl-C); returns the exit status."""
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        # The server's libraries are the optional `playground` extra, needed only here.
        import uvicorn

        # The server module imports Starlette (the same extra): imported only once it is known to be there.
        from neuroflow.playground.server import create_app
    except ImportError as error:
        print(f"neuroflow playground needs the playground extra ({error.name} is missing): "
              "pip install 'neuroflow[playground]'", file=sys.stderr)
        return 1
    url = f"http://127.0.0.1:{arguments.port}/"
    print(f"neuroflow playground at {url} (Ctrl-C stops it)")
    if not arguments.no_browser:
        # Opened a moment later, when the server is listening.
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(create_app(), host="127.0.0.1", port=arguments.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
