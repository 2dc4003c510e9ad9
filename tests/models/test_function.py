"""keras.Function: a graph of ops from placeholders to outputs (values as Keras 3.15.1 gives them)."""
import numpy

import neuroflow as nf


def test_function_runs_its_graph_and_lists_its_operations():
    x = nf.Input((3,))
    y = nf.ops.relu(x) * 2
    z = nf.ops.sum(y, axis=-1)
    function = nf.Function(x, [y, z], name="f")
    outputs = function(numpy.array([[1.0, -2.0, 3.0]], "float32"))
    # Keras: [array([[2., 0., 6.]]), array([8.])], operations InputLayer, Relu, Multiply, Sum.
    assert isinstance(outputs, list)
    numpy.testing.assert_array_equal(numpy.asarray(outputs[0]), [[2.0, 0.0, 6.0]])
    numpy.testing.assert_array_equal(numpy.asarray(outputs[1]), [8.0])
    assert [type(o).__name__ for o in function.operations][0] == "InputLayer"
    assert [o.name for o in function.operations][1:] == ["relu", "multiply", "sum"]
    assert function.name == "f" and function.inputs == [x] and len(function.outputs) == 2
    specs = function.compute_output_spec(nf.KerasTensor((None, 3)))
    assert [s.shape for s in specs] == [(None, 3), (None,)]
