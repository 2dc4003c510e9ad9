"""neuroflow.sklearn is optional: importing neuroflow (or the package itself) loads no scikit-learn."""
import subprocess
import sys

import pytest

import neuroflow.sklearn as nf_sklearn


def test_import_neuroflow_sklearn_does_not_import_sklearn_until_a_name_is_used():
    code = ("import sys, neuroflow, neuroflow.sklearn; before = 'sklearn' in sys.modules; "
            "neuroflow.sklearn.MLPClassifier; print(before, 'sklearn' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "True"]


def test_missing_sklearn_gives_the_install_command(monkeypatch):
    for name in [name for name in sys.modules if name == "sklearn" or name.startswith("sklearn.")] or ["sklearn"]:
        monkeypatch.setitem(sys.modules, name, None)  # as if scikit-learn were absent (None: imports fail)
    for name in [name for name in sys.modules if name.startswith("neuroflow.sklearn.")]:
        monkeypatch.delitem(sys.modules, name)  # imported afresh, against the missing scikit-learn
    with pytest.raises(ImportError, match=r'needs scikit-learn and scipy.*pip install "neuroflow\[sklearn\]"'):
        nf_sklearn.MLPClassifier  # noqa: B018 - the attribute access is what imports


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'MLP'"):
        nf_sklearn.MLP  # noqa: B018
