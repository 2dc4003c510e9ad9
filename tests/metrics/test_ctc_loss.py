"""CTC against Keras' recorded values; the loss needs neuroflow.ops.ctc_loss (ops/ctc.py)."""
import numpy
import pytest

from neuroflow import losses, ops
from neuroflow.ops import convert_to_tensor
from neuroflow.testing import check_gradients
from tests.metrics._references import ARRAYS, FACTS

needs_op = pytest.mark.skipif(not hasattr(ops, "ctc_loss"), reason="this build has no neuroflow.ops.ctc_loss")


def _ctc_by_definition(labels, logits):
    """-log p(labels | logits) by the forward recursion over the blank-extended labels (blank 0)."""
    logp = logits - numpy.log(numpy.exp(logits).sum(-1, keepdims=True))
    labels = [int(c) for c in labels if c != 0]
    extended = [0]
    for c in labels:
        extended += [c, 0]
    alpha = numpy.full(len(extended), -numpy.inf)
    alpha[0] = logp[0, 0]
    if len(extended) > 1:
        alpha[1] = logp[0, extended[1]]
    for t in range(1, len(logp)):
        new = numpy.full_like(alpha, -numpy.inf)
        for s, c in enumerate(extended):
            terms = [alpha[s]] + ([alpha[s - 1]] if s else [])
            if s > 1 and c != 0 and c != extended[s - 2]:
                terms.append(alpha[s - 2])
            new[s] = numpy.logaddexp.reduce(terms) + logp[t, c]
        alpha = new
    return -numpy.logaddexp.reduce(alpha[-2:] if len(extended) > 1 else alpha[-1:])


def test_recorded_keras_values_are_ctc():
    expected = [_ctc_by_definition(row, x.astype("float64")) for row, x in zip(ARRAYS["ctc_labels"], ARRAYS["ctc_logits"])]
    numpy.testing.assert_allclose(ARRAYS["loss_ctc"], expected, rtol=1e-5)
    numpy.testing.assert_allclose(ARRAYS["loss_CTC"], numpy.mean(expected), rtol=1e-5)


@needs_op
def test_matches_keras():
    values = losses.ctc(convert_to_tensor(ARRAYS["ctc_labels"]), convert_to_tensor(ARRAYS["ctc_logits"]))
    numpy.testing.assert_allclose(values.numpy(), ARRAYS["loss_ctc"], rtol=1e-5)
    numpy.testing.assert_allclose(losses.CTC()(ARRAYS["ctc_labels"], ARRAYS["ctc_logits"]).numpy(), ARRAYS["loss_CTC"],
                                  rtol=1e-5)


@needs_op
def test_gradient():
    labels = ARRAYS["ctc_labels"]
    check_gradients(lambda x: losses.ctc(convert_to_tensor(labels), x), ARRAYS["ctc_logits"].astype("float64"))


def test_shape_errors_and_config():
    with pytest.raises(ValueError, match="y_true.shape"):
        losses.ctc(convert_to_tensor(numpy.zeros(3)), convert_to_tensor(numpy.zeros((3, 2, 2))))
    with pytest.raises(ValueError, match="y_pred.shape"):
        losses.ctc(convert_to_tensor(numpy.zeros((3, 2))), convert_to_tensor(numpy.zeros((3, 2))))
    config = losses.CTC().get_config()
    for key, value in FACTS["configs"]["CTC"].items():
        assert config[key] == value
    assert type(losses.get("CTC")) is losses.CTC and losses.get("ctc") is losses.ctc
