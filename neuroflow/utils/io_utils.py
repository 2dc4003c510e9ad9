"""Interactive logging (keras.utils / keras.config): whether messages go to stdout or to Python's
`logging`. Progress messages of get_file and the directory datasets go through `print_msg`."""
import logging
import sys

_state = {"interactive": True}


def enable_interactive_logging():
    """Messages are printed to stdout (the default)."""
    _state["interactive"] = True


def disable_interactive_logging():
    """Messages go to the 'neuroflow' logger at INFO level instead of stdout."""
    _state["interactive"] = False


def is_interactive_logging_enabled():
    return _state["interactive"]


def print_msg(message, line_break=True):
    """Prints `message` (interactive logging) or logs it."""
    if _state["interactive"]:
        sys.stdout.write(message + ("\n" if line_break else ""))
        sys.stdout.flush()
    else:
        logging.getLogger("neuroflow").info(message)
