""""Show backprop": one training step of one sample written out as the chain rule.

The trace comes from `neuroflow.explain.backprop`, the learning tools' explainer; where that
module is not part of this neuroflow, the page says so instead.
"""
from neuroflow import seeding
from neuroflow.playground.network import build_model
from neuroflow.playground.session import BACKPROP_MAX_PARAMETERS, ENGINE_LOCK

try:  # neuroflow.explain comes with the learning tools and may be missing from this installation
    from neuroflow import explain
except ImportError:
    explain = None

NOT_AVAILABLE = ("Show backprop is not available: this neuroflow has no neuroflow.explain module "
                 "(the learning tools' chain-rule explainer).")


def backprop_text(session):
    """The chain-rule trace of one step on the first training point, or why there is none."""
    if explain is None:
        return NOT_AVAILABLE
    parameters = session.model.count_params()
    if parameters > BACKPROP_MAX_PARAMETERS:
        return (f"Show backprop writes out networks of at most {BACKPROP_MAX_PARAMETERS} parameters; this one has "
                f"{parameters}. Remove neurons or layers to see one step.")
    if len(session.x_train) == 0:
        return "Show backprop needs at least one training point."
    with ENGINE_LOCK:
        # The copy's initializers draw from neuroflow's generator: put its state back afterwards, so the
        # session's next shuffles (and its exported script) stay the ones an untouched run would have.
        state = seeding.generator().bit_generator.state
        # A copy with the same weights takes the step, so the session's own training is left as it was.
        model = build_model(session.config)
        model.set_weights(session.model.get_weights())
        trace = explain.backprop(model, session.x_train[:1], session.y_train[:1], learning_rate=session.config.learning_rate)
        seeding.generator().bit_generator.state = state
    return str(trace)
