"""Routing the tf.keras / scikeras wrappers' keyword arguments to build_fn, compile, fit and predict."""
import inspect

from neuroflow.models import Model

# Keyword arguments that go to `Model.compile` when `build_fn` returns an uncompiled model.
_COMPILE_PARAMS = ("optimizer", "loss", "metrics")


def _name_of(function):
    return getattr(function, "__qualname__", None) or type(function).__name__


def _signature_params(function):
    """(names of the keyword-capable parameters of `function`, whether it takes **kwargs)."""
    parameters = inspect.signature(function).parameters.values()
    names = {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return names, any(p.kind == p.VAR_KEYWORD for p in parameters)


def route_parameters(owner, sk_params, build_fn, build_fn_given):
    """Splits the tf.keras wrappers' sk_params into (build_fn kwargs, compile kwargs, fit kwargs, predict kwargs).

    Each parameter goes, by name, to every one of `build_fn`, `Model.fit` and `Model.predict` that
    accepts it; else to `Model.compile` (optimizer, loss, metrics), else to a `build_fn` taking
    **kwargs. The prefixes `model__` / `fit__` force a route; a `model` parameter is the build
    function itself unless `build_fn_given`.

    Raises:
        ValueError: naming `owner` and the parameter that nothing accepts.
    """
    build_names, build_takes_any = _signature_params(build_fn)
    fit_names, _ = _signature_params(Model.fit)
    predict_names, _ = _signature_params(Model.predict)
    fit_names -= {"self", "x", "y"}
    predict_names -= {"self", "x"}
    build, compile_args, fit, predict = {}, {}, {}, {}
    for name, value in sk_params.items():
        if name == "model" and not build_fn_given:
            continue
        if name.startswith("model__"):
            build[name[len("model__"):]] = value
            continue
        if name.startswith("fit__"):
            fit[name[len("fit__"):]] = value
            continue
        routed = False
        if name in build_names:
            build[name], routed = value, True
        if name in fit_names:
            fit[name], routed = value, True
        if name in predict_names:
            predict[name], routed = value, True
        if not routed and name in _COMPILE_PARAMS:
            compile_args[name], routed = value, True
        if not routed and build_takes_any:
            build[name], routed = value, True
        if not routed:
            raise ValueError(
                f"{owner}: parameter {name!r} is not an argument of build_fn "
                f"{_name_of(build_fn)}{inspect.signature(build_fn)}, of Model.fit or of Model.predict; "
                f"known fit arguments: {sorted(fit_names)}")
    return build, compile_args, fit, predict
