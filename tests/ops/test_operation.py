"""keras.Operation: a custom op from keras.ops, eager and in the functional API."""
import numpy
import pytest

import neuroflow as nf


class ScaledRelu(nf.Operation):
    def __init__(self, scale=2.0, name=None):
        super().__init__(name=name)
        self.scale = scale

    def call(self, x):
        return nf.ops.relu(x) * self.scale

    def get_config(self):
        return dict(super().get_config(), scale=self.scale)


def test_operation_runs_eagerly_and_differentiates_through_its_ops():
    x = nf.Variable(numpy.array([-1.0, 2.0]), dtype="float64")
    with nf.GradientTape() as tape:
        y = nf.ops.sum(ScaledRelu(3.0)(x))
    assert float(y) == 6.0
    numpy.testing.assert_array_equal(tape.gradient(y, x).numpy(), [0.0, 3.0])


def test_operation_builds_graph_nodes_on_placeholders():
    inputs = nf.Input((3,))
    operation = ScaledRelu()
    outputs = operation(inputs)
    assert isinstance(outputs, nf.KerasTensor) and outputs.shape == (None, 3)
    model = nf.Model(inputs, outputs)
    numpy.testing.assert_allclose(numpy.asarray(model(numpy.array([[1.0, -1.0, 0.5]], "float32"))), [[2.0, 0.0, 1.0]])
    assert operation.compute_output_spec(nf.KerasTensor((None, 4))).shape == (None, 4)


def test_operation_name_config_and_errors():
    operation = ScaledRelu(0.5, name="half")
    again = ScaledRelu.from_config(operation.get_config())
    assert (again.name, again.scale) == ("half", 0.5)
    assert ScaledRelu().name.startswith("scaled_relu")
    with pytest.raises(ValueError, match="cannot contain"):
        ScaledRelu(name="a/b")
    with pytest.raises(NotImplementedError, match="must implement call"):
        nf.Operation()(numpy.ones(2))
