"""A search killed midway resumes where it stopped: completed trials are kept, the interrupted one reruns."""
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

import neuroflow.tuner as kt
from neuroflow.tuner import Objective
from tests.tuner import interruptible_search
from tests.tuner.synthetic import ContinuousHyperModel, DiscreteHyperModel
from tests.tuner.test_search_algorithms import EpochHyperModel

REPO = pathlib.Path(__file__).resolve().parents[2]


def _child(*arguments):
    environment = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, "-m", "tests.tuner.interruptible_search", *map(str, arguments)],
                            cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _fits(log):
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_a_search_killed_with_sigkill_resumes_where_it_stopped(tmp_path):
    log, ready = tmp_path / "fits.log", tmp_path / "ready"
    child = _child(tmp_path / "search", log, 4, ready)
    deadline = time.monotonic() + 120
    while not ready.exists():
        assert child.poll() is None, child.stderr.read()
        assert time.monotonic() < deadline, "the child search never reached its fourth trial"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.communicate()
    assert child.returncode == -signal.SIGKILL

    project = tmp_path / "search" / "resumable"
    statuses = {path.parent.name: json.loads(path.read_text())["status"] for path in project.glob("trial_*/trial.json")}
    assert statuses == {"trial_00": "COMPLETED", "trial_01": "COMPLETED", "trial_02": "COMPLETED",
                        "trial_03": "RUNNING"}

    child = _child(tmp_path / "search", log)
    output, errors = child.communicate(timeout=300)
    assert child.returncode == 0, errors
    resumed = json.loads(output)

    fits = _fits(log)
    # Trials 0-2 ran once; trial 3 was cut short and ran again with the same values; then 4-7.
    assert len(fits) == 9 and fits[3] == fits[4]
    assert len({json.dumps(values, sort_keys=True) for values in fits}) == 8
    # The same search, never interrupted, proposes the same trials and measures the same scores.
    uninterrupted = interruptible_search.run(tmp_path / "fresh", tmp_path / "fresh.log")
    assert resumed == json.loads(json.dumps(uninterrupted))
    assert all(status == "COMPLETED" for _, _, status in resumed.values())


class Interrupt(BaseException):
    """Raised inside a trial, as KeyboardInterrupt would be: nothing in the search catches it."""


def _interrupting(hypermodel, at):
    fit = hypermodel.fit
    calls = []

    def interrupted_fit(hp, model, *args, **kwargs):
        calls.append(1)
        if len(calls) == at:
            raise Interrupt()
        return fit(hp, model, *args, **kwargs)

    hypermodel.fit = interrupted_fit
    return hypermodel


TUNERS = {
    "random": lambda hypermodel, directory: kt.RandomSearch(hypermodel, objective=Objective("score", "max"),
                                                            max_trials=6, seed=4, directory=directory),
    "grid": lambda hypermodel, directory: kt.GridSearch(hypermodel, objective=Objective("score", "max"),
                                                        directory=directory),
    "hyperband": lambda hypermodel, directory: kt.Hyperband(hypermodel, objective=Objective("score", "max"),
                                                            max_epochs=9, seed=4, directory=directory),
    "bayesian": lambda hypermodel, directory: kt.BayesianOptimization(hypermodel, max_trials=5, num_initial_points=2,
                                                                      seed=4, directory=directory),
}
HYPERMODELS = {"random": DiscreteHyperModel, "grid": DiscreteHyperModel, "hyperband": EpochHyperModel,
               "bayesian": ContinuousHyperModel}


@pytest.mark.parametrize("name", list(TUNERS))
def test_every_tuner_resumes_to_the_same_search(tmp_path, name):
    make, hypermodel = TUNERS[name], HYPERMODELS[name]
    interrupted = make(_interrupting(hypermodel(), at=4), tmp_path / "interrupted")
    with pytest.raises(Interrupt):
        interrupted.search(verbose=0)
    assert len([t for t in interrupted.oracle.trials.values() if t.status == "COMPLETED"]) == 3
    resumed = make(hypermodel(), tmp_path / "interrupted")
    assert len(resumed.oracle.trials) == 4
    resumed.search(verbose=0)
    straight = make(hypermodel(), tmp_path / "straight")
    straight.search(verbose=0)

    def record(tuner):
        return [(trial_id, tuner.oracle.trials[trial_id].hyperparameters.values, tuner.oracle.trials[trial_id].score)
                for trial_id in sorted(tuner.oracle.trials)]

    assert record(resumed) == record(straight)


def test_overwrite_starts_afresh(tmp_path):
    first = kt.RandomSearch(DiscreteHyperModel(), objective=Objective("score", "max"), max_trials=3,
                            directory=tmp_path, project_name="p")
    first.search(verbose=0)
    again = kt.RandomSearch(DiscreteHyperModel(), objective=Objective("score", "max"), max_trials=3,
                            directory=tmp_path, project_name="p")
    assert len(again.oracle.trials) == 3 and again.remaining_trials == 0
    fresh = kt.RandomSearch(DiscreteHyperModel(), objective=Objective("score", "max"), max_trials=3,
                            directory=tmp_path, project_name="p", overwrite=True)
    assert fresh.oracle.trials == {} and fresh.remaining_trials == 3


def test_a_project_of_another_tuner_is_not_reloaded(tmp_path):
    kt.RandomSearch(DiscreteHyperModel(), max_trials=1, directory=tmp_path, project_name="p")
    with pytest.raises(RuntimeError, match="holds a RandomSearchOracle search"):
        kt.GridSearch(DiscreteHyperModel(), directory=tmp_path, project_name="p")


def _oracle_file(tuner):
    return pathlib.Path(tuner.project_dir) / "oracle.json"


def test_killed_between_a_new_trial_s_two_files_the_trial_reruns(tmp_path):
    """oracle.json is written before trial.json: a trial known only to oracle.json is rebuilt and rerun."""
    make = TUNERS["random"]
    interrupted = make(_interrupting(DiscreteHyperModel(), at=3), tmp_path)
    with pytest.raises(Interrupt):
        interrupted.search(verbose=0)
    (pathlib.Path(interrupted.project_dir) / "trial_02" / "trial.json").unlink()
    hypermodel = DiscreteHyperModel()
    resumed = make(hypermodel, tmp_path)
    assert resumed.oracle.trials["02"].status == "RUNNING"
    resumed.search(verbose=0)
    assert hypermodel.fitted[0] == interrupted.oracle.trials["02"].hyperparameters.values
    assert len(resumed.oracle.trials) == 6 and all(t.status == "COMPLETED" for t in resumed.oracle.trials.values())


def test_killed_between_an_ended_trial_s_two_files_the_trial_stays_completed(tmp_path):
    """trial.json is written before oracle.json: a trial that says it completed is not run again."""
    make = TUNERS["random"]
    tuner = make(DiscreteHyperModel(), tmp_path)
    tuner.search(verbose=0)
    saved = json.loads(_oracle_file(tuner).read_text())
    # As if the search died after trial 05's file said COMPLETED, before oracle.json was rewritten.
    trial_state = json.loads((pathlib.Path(tuner.project_dir) / "trial_05" / "trial.json").read_text())
    saved["state"]["ongoing_trials"] = {"tuner0": dict(trial_state, status="RUNNING")}
    saved["state"]["end_order"].remove("05")
    _oracle_file(tuner).write_text(json.dumps(saved))
    hypermodel = DiscreteHyperModel()
    resumed = make(hypermodel, tmp_path)
    resumed.search(verbose=0)
    assert hypermodel.fitted == [] and resumed.oracle.trials["05"].status == "COMPLETED"
    assert resumed.oracle.trials["05"].score == tuner.oracle.trials["05"].score
