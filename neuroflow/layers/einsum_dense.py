"""EinsumDense: a dense layer whose contraction is an einsum equation, `activation(einsum(x, kernel) + bias)`."""
import re

from neuroflow import activations, ops
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.layer import Layer, serialized_arguments, store_arguments

# The three equation forms Keras accepts, with '...' written as '0': no ellipsis, a leading one on
# the input and output, and a trailing one (after at least two input labels).
_FORMS = ((re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$"), False),
          (re.compile(r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$"), True),
          (re.compile(r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$"), False))


def _parse(equation):
    """(input labels, kernel labels, output labels, left_elided) of `equation`, or ValueError."""
    if isinstance(equation, str):
        flat = equation.replace("...", "0")
        for pattern, left in _FORMS:
            match = pattern.match(flat)
            if match:
                return match.group(1), match.group(2), match.group(3), left
    raise ValueError(f"EinsumDense: `equation` must be of the form 'ab,bc->ac', '...ab,bc->...ac' or "
                     f"'ab...,bc->ac...'; received equation={equation!r}")


def einsum_weight_shapes(equation, bias_axes, input_shape, output_shape):
    """(kernel shape, bias shape or None, full output shape) for an EinsumDense.

    `output_shape` gives the output's non-batch axes that the ellipsis does not cover (None for an
    axis taken from the input).
    """
    input_labels, kernel_labels, output_labels, left = _parse(equation)
    input_shape = tuple(input_shape)
    elided = len(input_shape) - len(input_labels)
    full = [input_shape[0]] + list(output_shape)
    if elided > 0 and left:
        full[1:1] = list(input_shape[1:elided])
    elif elided > 0:
        full += list(input_shape[len(input_shape) - elided:])
    offset = elided if left else 0
    input_at = {label: input_shape[i + offset - (len(input_shape) if left else 0)]
                for i, label in enumerate(input_labels)}
    output_at = {label: full[i + offset] for i, label in enumerate(output_labels)}
    for label, size in input_at.items():
        if label in output_at and output_at[label] is not None and output_at[label] != size:
            raise ValueError(f"EinsumDense: input and `output_shape` differ at the shared axis '{label}': the input "
                             f"has {size}, output_shape has {output_at[label]}")
    for label in output_labels:
        if label not in input_labels and label not in kernel_labels:
            raise ValueError(f"EinsumDense: output axis '{label}' of equation {equation!r} is in neither the input "
                             f"labels '{input_labels}' nor the kernel labels '{kernel_labels}'")
    kernel_shape = []
    for label in kernel_labels:
        if label in output_at:
            kernel_shape.append(output_at[label])
        elif label in input_at:
            kernel_shape.append(input_at[label])
        else:
            raise ValueError(f"EinsumDense: kernel axis '{label}' of equation {equation!r} is in neither the input "
                             f"labels '{input_labels}' nor the output labels '{output_labels}'")
    if bias_axes is None:
        return tuple(kernel_shape), None, tuple(full)
    for label in bias_axes:
        if label not in output_labels:
            raise ValueError(f"EinsumDense: `bias_axes` label '{label}' is not an output axis of equation "
                             f"{equation!r}; received bias_axes={bias_axes!r}")
    # The bias spans from the first biased output axis to the end, 1 on the unbiased ones.
    first = min(output_labels.find(label) for label in bias_axes)
    bias_shape = [output_at[label] if label in bias_axes else 1 for label in output_labels[first:]]
    if not left:
        bias_shape += [1] * max(elided, 0)
    return tuple(kernel_shape), tuple(bias_shape), tuple(full)


class EinsumDense(Layer):
    """A dense layer of any contraction: `activation(einsum(equation, inputs, kernel) + bias)`.

    Args:
        equation: 'ab,bc->ac'-style, with an optional '...' leading both the input and the output,
            or trailing them.
        output_shape: int or tuple, the output's non-batch axes other than those of the ellipsis;
            None in it takes the size from the input.
        activation: name or callable; None is linear.
        bias_axes: output labels that get a bias (None: no bias).
        kernel_initializer / bias_initializer: default glorot_uniform / zeros.
        kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint: as their names say.
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        _parse(equation)
        if isinstance(output_shape, int) and not isinstance(output_shape, bool):
            output_shape = (output_shape,)
        if not isinstance(output_shape, (list, tuple)) or not all(
                d is None or isinstance(d, int) and not isinstance(d, bool) for d in output_shape):
            raise ValueError(f"EinsumDense '{self.name}': `output_shape` must be an int or a tuple of ints / None; "
                             f"received output_shape={output_shape!r}")
        if bias_axes is not None and not isinstance(bias_axes, str):
            raise ValueError(f"EinsumDense '{self.name}': `bias_axes` must be a string of output labels or None; "
                             f"received bias_axes={bias_axes!r}")
        self.equation = equation
        self.partial_output_shape = tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        store_arguments(self, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                              kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                              kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)

    def build(self, input_shape):
        kernel_shape, bias_shape, self.full_output_shape = einsum_weight_shapes(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape)
        if any(d is None for d in kernel_shape):
            raise ValueError(f"EinsumDense '{self.name}': the kernel shape {kernel_shape} has unknown axes; give "
                             f"them in `output_shape` or the input shape")
        self.kernel = self.add_weight(shape=kernel_shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
                                      name="kernel")
        self.bias = None if bias_shape is None else self.add_weight(
            shape=bias_shape, initializer=self.bias_initializer, regularizer=self.bias_regularizer,
            constraint=self.bias_constraint, name="bias")
        self.input_spec = InputSpec(ndim=len(input_shape))
        self.built = True

    def call(self, inputs):
        out = ops.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            out = ops.add(out, self.bias)
        return out if self.activation is None else self.activation(out)

    def compute_output_shape(self, input_shape):
        return einsum_weight_shapes(self.equation, self.bias_axes, input_shape, self.partial_output_shape)[2]

    def get_config(self):
        config = super().get_config()
        config.update({
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            **serialized_arguments(self, ("kernel_initializer", "bias_initializer", "kernel_regularizer",
                                          "bias_regularizer", "activity_regularizer", "kernel_constraint",
                                          "bias_constraint")),
        })
        return config
