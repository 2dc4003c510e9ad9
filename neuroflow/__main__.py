"""`python -m neuroflow ...` runs the `neuroflow` command (neuroflow/cli.py)."""
import sys

from neuroflow.cli import main

sys.exit(main())
