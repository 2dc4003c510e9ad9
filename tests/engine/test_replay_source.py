"""engine/replay_source.py: a traced program written out as one Python function, checked on a hand-made program."""
import numpy

from neuroflow.engine import replay_source
from neuroflow.engine.replay_source import LEAF, SLOT, VARIABLE
from neuroflow.engine.tensor import Variable


def _multiply(a, b):
    return a * b, (a, b)


def _multiply_vjp(residuals, g, needs):
    a, b = residuals
    return (g * b if needs[0] else None, g * a if needs[1] else None)


def _total(a):
    return a.sum(), a.shape


def _total_vjp(shape, g, needs):
    return (numpy.broadcast_to(g, shape),)


def _program(weights):
    # loss = sum(x * w), x (2, 3) a batch leaf, w (3,) a variable: w's gradient needs unbroadcasting.
    instructions = [(_multiply, ((LEAF, 0), (VARIABLE, weights)), {}), (_total, ((SLOT, 0),), {})]
    backward = [(1, _total_vjp, (True,), [(False, 0, (2, 3), numpy.dtype("float64"))]),
                (0, _multiply_vjp, (False, True), [None, (True, 0, (3,), numpy.dtype("float64"))])]
    return replay_source.compile_run(instructions, backward, loss_slot=1, output_slots=[0], variable_count=1)


def test_the_written_out_program_computes_the_loss_outputs_and_reduced_gradients():
    weights = Variable(numpy.array([1.0, -2.0, 0.5]))
    run, source = _program(weights)
    x = numpy.arange(6.0).reshape(2, 3)
    loss, outputs, gradients = run([x])
    assert loss == (x * weights.value).sum()
    numpy.testing.assert_array_equal(outputs[0], x * weights.value)
    numpy.testing.assert_array_equal(gradients[0], x.sum(axis=0))  # unbroadcast from (2, 3) to (3,)
    assert source.count(" = f") == 2 and "unbroadcast(x" in source


def test_the_program_reads_the_variable_at_each_run():
    weights = Variable(numpy.ones(3))
    run, _ = _program(weights)
    x = numpy.ones((2, 3))
    assert run([x])[0] == 6.0
    weights.assign(numpy.full(3, 2.0))
    assert run([x])[0] == 12.0
