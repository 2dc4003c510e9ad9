""""Show backprop": one training step of one sample written out as the chain rule.

The trace comes from `neuroflow.explain.backprop`, the learning tools' explainer, with the loss the
session trains with (binary cross-entropy or MSE), so the step shown is the one training takes.
"""
from neuroflow import explain, seeding
from neuroflow.playground.network import OUTPUT, build_model
from neuroflow.playground.session import BACKPROP_MAX_PARAMETERS, ENGINE_LOCK


def backprop_text(session):
    """The chain-rule trace of one step on the first training point, or why there is none."""
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
        _output_activation, loss = OUTPUT[session.config.problem]
        trace = explain.backprop(model, session.x_train[:1], session.y_train[:1], learning_rate=session.config.learning_rate,
                                 loss=loss)
        seeding.generator().bit_generator.state = state
    return str(trace)
