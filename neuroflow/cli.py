"""The `neuroflow` command: a small dispatcher over subcommands.

    neuroflow explain --format markdown
    python -m neuroflow explain

A subcommand is a module with `NAME`, `HELP`, `add_arguments(parser)` and `run(arguments, out)`
(which writes to `out` and returns an exit status). Register one by adding its module to
SUBCOMMANDS. Errors a user can fix (a ValueError, a missing file) are printed as one line on
stderr with exit status 2, not as a traceback.
"""
import argparse
import sys

from neuroflow.explain import command as explain_command

# The subcommands, one module each, in the order `neuroflow --help` lists them.
SUBCOMMANDS = (
    explain_command,
)


def build_parser():
    """The argument parser of `neuroflow`, with one sub-parser per registered subcommand."""
    parser = argparse.ArgumentParser(prog="neuroflow", description="neuroflow's command-line tools.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        subparser = commands.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(subparser)
        subparser.set_defaults(run=module.run)
    return parser


def main(argv=None, out=None):
    """Runs `neuroflow ARGS`; returns the exit status (the console script exits with it)."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    if arguments.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return arguments.run(arguments, sys.stdout if out is None else out)
    except (ValueError, OSError) as error:
        print(f"neuroflow {arguments.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
