"""CSVLogger: header, one row per epoch, append mode, separator, missing values."""
import numpy

from neuroflow.callbacks import CSVLogger

from .fake_training import FakeModel, run_fit

LOGS = [
    {"loss": 0.5, "accuracy": 0.75, "val_loss": 0.625},
    {"loss": 0.25, "accuracy": 0.875, "val_loss": 0.5},
]


def read_lines(path):
    with open(path, newline="") as handle:
        return handle.read().splitlines()


def test_header_and_one_row_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    run_fit(FakeModel(), [CSVLogger(str(path))], LOGS)
    assert read_lines(path) == [
        "epoch,accuracy,loss,val_loss",
        "0,0.75,0.5,0.625",
        "1,0.875,0.25,0.5",
    ]


def test_append_continues_without_a_second_header(tmp_path):
    path = tmp_path / "log.csv"
    run_fit(FakeModel(), [CSVLogger(path)], LOGS)
    run_fit(FakeModel(), [CSVLogger(path, append=True)], LOGS[:1])
    assert read_lines(path) == [
        "epoch,accuracy,loss,val_loss",
        "0,0.75,0.5,0.625",
        "1,0.875,0.25,0.5",
        "0,0.75,0.5,0.625",
    ]


def test_append_to_a_new_file_writes_the_header(tmp_path):
    path = tmp_path / "new.csv"
    run_fit(FakeModel(), [CSVLogger(path, append=True)], LOGS[:1])
    assert read_lines(path)[0] == "epoch,accuracy,loss,val_loss"


def test_without_append_the_file_is_overwritten(tmp_path):
    path = tmp_path / "log.csv"
    run_fit(FakeModel(), [CSVLogger(path)], LOGS)
    run_fit(FakeModel(), [CSVLogger(path)], LOGS[1:])
    assert read_lines(path) == ["epoch,accuracy,loss,val_loss", "0,0.875,0.25,0.5"]


def test_separator_missing_values_and_arrays(tmp_path):
    path = tmp_path / "log.tsv"
    logs = [{"loss": 1.0, "extra": numpy.array([1, 2])}, {"loss": 2.0}]
    run_fit(FakeModel(), [CSVLogger(path, separator="\t")], logs)
    lines = read_lines(path)
    assert lines[0] == "epoch\textra\tloss"
    assert lines[1].split("\t")[0] == "0" and "[1, 2]" in lines[1]
    assert lines[2] == "1\tNA\t2.0"


def test_declared_validation_metrics_get_columns(tmp_path):
    model = FakeModel()
    model.metrics_names = ["loss", "val_loss"]
    path = tmp_path / "log.csv"
    run_fit(model, [CSVLogger(path)], [{"loss": 1.0}])  # no validation this epoch
    assert read_lines(path) == ["epoch,loss,val_loss", "0,1.0,NA"]


def test_file_is_closed_after_training(tmp_path):
    logger = CSVLogger(tmp_path / "log.csv")
    run_fit(FakeModel(), [logger], LOGS)
    assert logger.csv_file.closed
