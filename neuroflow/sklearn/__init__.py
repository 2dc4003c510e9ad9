"""scikit-learn's estimators on neuroflow's engine: `MLPClassifier` and `MLPRegressor`.

Drop-in for `sklearn.neural_network.MLPClassifier` / `MLPRegressor` (same parameters, defaults,
attributes and methods), trained by neuroflow's Dense layers, optimizers and GradientTape, with
scipy's L-BFGS-B for solver='lbfgs'. They need the optional extra
(`pip install "neuroflow[sklearn]"`: scikit-learn and scipy), imported when a name is first used,
so `import neuroflow` stays light.

    from neuroflow.sklearn import MLPClassifier
    MLPClassifier(hidden_layer_sizes=(64,), random_state=0).fit(X, y).score(X_test, y_test)
"""
import importlib

_MODULES = {"MLPClassifier": "mlp_classifier", "MLPRegressor": "mlp_regressor", "minimize_lbfgs": "lbfgs"}
INSTALL_HINT = 'pip install "neuroflow[sklearn]"'

__all__ = list(_MODULES)


def __getattr__(name):
    if name not in _MODULES:
        raise AttributeError(f"module 'neuroflow.sklearn' has no attribute {name!r}")
    try:
        module = importlib.import_module(f"neuroflow.sklearn.{_MODULES[name]}")
    except ImportError as error:
        missing = (error.name or "").split(".")[0]
        if missing not in ("sklearn", "scipy"):
            raise
        raise ImportError(f"neuroflow.sklearn.{name} needs scikit-learn and scipy ({missing} is not installed); "
                          f"install them with: {INSTALL_HINT}") from error
    return getattr(module, name)


def __dir__():
    return sorted(list(globals()) + list(_MODULES))
