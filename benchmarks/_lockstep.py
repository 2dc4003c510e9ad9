"""Contenders in lockstep: every child process runs its k-th timed section right after the others'.

This VM alternates fast and slow phases that last seconds (pure Python loops included), so timing
one contender after another mistakes the machine's phase for a difference between libraries. In
lockstep, all children set up at once (untimed), then each timed section (an epoch, a repeat) runs
in turn, one child at a time, while the others wait asleep on their stdin.

Child side: call `wait_turn()` just before starting a timer and `turn_done()` just after stopping
it; both do nothing unless the parent started the child in lockstep.
Parent side: `run_in_turns(commands, environments)`.
"""
import os
import subprocess
import sys
import tempfile
import time

VARIABLE = "BENCHMARK_LOCKSTEP"
_READY, _DONE = "@@TURN-READY@@", "@@TURN-DONE@@"


def wait_turn():
    """Blocks (asleep, untimed) until the parent lets this child run its next timed section."""
    if os.environ.get(VARIABLE):
        print(_READY, flush=True)
        sys.stdin.readline()


def turn_done():
    """Tells the parent that the timed section is over."""
    if os.environ.get(VARIABLE):
        print(_DONE, flush=True)


def run_in_turns(commands, environments, pause=0.0):
    """Runs the children of `commands` ({name: argv}) in lockstep until all have exited.

    Args:
        commands: {name: argv list}; the turns go in this order.
        environments: {name: environment dict} (VARIABLE is added).
        pause: seconds to wait before each turn, so that the previous child's spinning BLAS /
            OpenMP workers fall asleep first (multi-threaded runs).

    Returns:
        {name: (exit code, the child's other stdout lines, its stderr text)}.
    """
    children = {}
    for name, command in commands.items():
        environment = dict(environments[name])
        environment[VARIABLE] = "1"
        errors = tempfile.TemporaryFile(mode="w+")
        process = subprocess.Popen(command, env=environment, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=errors, text=True, bufsize=1)
        children[name] = {"process": process, "errors": errors, "lines": []}

    def read_until(child, marker):
        """Collects the child's lines up to `marker` (True) or to its end (False)."""
        for line in child["process"].stdout:
            if line.startswith(marker):
                return True
            child["lines"].append(line.rstrip("\n"))
        return False

    running = [name for name in commands if read_until(children[name], _READY)]
    while running:
        for name in list(running):
            child = children[name]
            time.sleep(pause)
            child["process"].stdin.write("go\n")
            child["process"].stdin.flush()
            read_until(child, _DONE)
            if not read_until(child, _READY):
                running.remove(name)
    results = {}
    for name, child in children.items():
        child["process"].wait()
        child["errors"].seek(0)
        results[name] = (child["process"].returncode, child["lines"], child["errors"].read())
        child["errors"].close()
    return results


def last_json_results(outcomes):
    """{name: (the JSON of the child's last stdout line, None) or (None, why it failed)} from run_in_turns."""
    import json

    results = {}
    for name, (code, lines, errors) in outcomes.items():
        if code != 0 or not lines:
            results[name] = (None, errors.strip().splitlines()[-1] if errors.strip() else f"exit {code}")
        else:
            results[name] = (json.loads(lines[-1]), None)
    return results
