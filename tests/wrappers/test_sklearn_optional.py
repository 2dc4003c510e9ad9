"""scikit-learn is optional: without it the wrappers import, and constructing one says how to install it."""
import pytest

from neuroflow.wrappers import sklearn as wrappers


@pytest.mark.parametrize("name", ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer",
                                  "KerasClassifier", "KerasRegressor"])
def test_missing_sklearn_gives_the_install_command(name, monkeypatch):
    monkeypatch.setattr(wrappers, "sklearn", None)  # as if scikit-learn were absent
    with pytest.raises(ImportError, match=r'needs scikit-learn.*pip install "neuroflow\[sklearn\]"'):
        getattr(wrappers, name)(lambda X, y: None)


def test_import_neuroflow_does_not_import_sklearn():
    import subprocess
    import sys
    code = "import sys, neuroflow, neuroflow.wrappers; print('sklearn' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
