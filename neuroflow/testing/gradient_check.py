"""Finite-difference gradient checks (float64), used by the test suite for every op and layer.

    from neuroflow.testing import check_gradients
    check_gradients(lambda x: ops.sum(ops.square(x)), numpy.array([1.0, 2.0]))
"""
import numpy

from neuroflow import backend, ops
from neuroflow.engine.tape import GradientTape
from neuroflow.engine.tensor import Tensor
from neuroflow.utils import nest

HOST_NUMPY = "finite differences on host float64 copies"  # numpy here works on host data (tests/test_backend_seam.py)


def numeric_gradient(function, arrays, index, epsilon=1e-6):
    """Central differences of function(*arrays) (a scalar) with respect to arrays[index].

    Only arrays[index] is converted to float64: the others (integer indices, boolean masks) keep
    their dtype. The copy is C-ordered so that `reshape(-1)` below is a view that writes through
    (a transposed or moveaxis'd input would otherwise be perturbed in a throwaway copy).
    """
    xp = backend.xp  # the arrays live on the backend's device; the gradient comes back to the host
    base = list(arrays)
    base[index] = xp.array(arrays[index], dtype=numpy.float64, order="C")
    target = base[index]
    gradient = numpy.zeros(target.shape, dtype=numpy.float64)
    flat = target.reshape(-1)
    grad_flat = gradient.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + epsilon
        plus = float(function(*base))
        flat[i] = original - epsilon
        minus = float(function(*base))
        flat[i] = original
        grad_flat[i] = (plus - minus) / (2 * epsilon)
    return gradient


def check_gradients(function, *arrays, wrt=None, epsilon=1e-6, rtol=1e-5, atol=1e-6, seed=0):
    """Asserts that the tape's gradients of `function` match finite differences.

    `function` maps Tensors to a Tensor; its output is contracted with a fixed random probe so
    every output element's gradient is checked, not only their sum.

    Args:
        function: callable of Tensors returning a Tensor (or a nested structure of Tensors).
        *arrays: float64 inputs.
        wrt: indices of the inputs to check (default: all floating inputs).
        epsilon, rtol, atol: step and tolerances.

    Returns:
        The analytic gradients, for further assertions.
    """
    arrays = [numpy.asarray(a) for a in arrays]
    if wrt is None:
        wrt = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    rng = numpy.random.default_rng(seed)
    probes = None

    def probed_total(outputs):
        """sum(output * probe) over the outputs; the probes are drawn at the first call."""
        nonlocal probes
        outputs = nest.flatten(outputs)
        if probes is None:
            probes = [rng.normal(size=o.shape) for o in outputs]
        total = None
        for output, probe in zip(outputs, probes):
            term = ops.sum(ops.multiply(output, probe))
            total = term if total is None else ops.add(total, term)
        return total

    def probed(*values):
        return probed_total(function(*[Tensor(v) for v in values]))

    tensors = [Tensor(backend.xp.asarray(a.astype(numpy.float64) if i in wrt else a)) for i, a in enumerate(arrays)]
    with GradientTape() as tape:
        for i in wrt:
            tape.watch(tensors[i])
        total = probed_total(function(*tensors))
    analytic = tape.gradient(total, [tensors[i] for i in wrt], unconnected_gradients="zero")
    results = []
    for i, grad in zip(wrt, analytic):
        numeric = numeric_gradient(lambda *v: probed(*v).value, [t.value for t in tensors], i, epsilon)
        got = grad.numpy()
        if not numpy.allclose(got, numeric, rtol=rtol, atol=atol):
            worst = numpy.max(numpy.abs(got - numeric))
            raise AssertionError(f"gradient of input {i} differs from finite differences by up to {worst:.3g}\n"
                                 f"analytic:\n{got}\nnumeric:\n{numeric}")
        results.append(got)
    return results


def check_layer_gradients(layer, *inputs, epsilon=1e-6, rtol=1e-5, atol=1e-6, seed=0, **call_kwargs):
    """Checks a layer's gradients w.r.t. its float inputs and every trainable weight (float64).

    The layer is built on the first call; its Variables are perturbed in place for the numeric side.
    """
    inputs = [numpy.asarray(x) for x in inputs]
    tensors = [Tensor(backend.xp.asarray(x)) for x in inputs]
    layer(*tensors, **call_kwargs)  # build
    weights = layer.trainable_weights
    rng = numpy.random.default_rng(seed)
    outputs = nest.flatten(layer(*tensors, **call_kwargs))
    probes = [rng.normal(size=o.shape) for o in outputs]

    def objective():
        total = 0.0
        for output, probe in zip(nest.flatten(layer(*tensors, **call_kwargs)), probes):
            total = ops.add(total, ops.sum(ops.multiply(output, probe)))
        return total

    float_inputs = [t for t, x in zip(tensors, inputs) if x.dtype.kind == "f"]
    with GradientTape() as tape:
        for t in float_inputs:
            tape.watch(t)
        total = objective()
    analytic = tape.gradient(total, float_inputs + list(weights), unconnected_gradients="zero")
    targets = [t.value for t in float_inputs] + [w.value for w in weights]
    names = [f"input {i}" for i in range(len(float_inputs))] + [w.path for w in weights]
    for name, array, grad in zip(names, targets, analytic):
        numeric = numpy.zeros(array.shape, dtype=array.dtype)
        flat, grad_flat = array.reshape(-1), numeric.reshape(-1)
        for i in range(flat.size):
            original = flat[i]
            flat[i] = original + epsilon
            plus = float(objective().value)
            flat[i] = original - epsilon
            minus = float(objective().value)
            flat[i] = original
            grad_flat[i] = (plus - minus) / (2 * epsilon)
        got = grad.numpy()
        if not numpy.allclose(got, numeric, rtol=rtol, atol=atol):
            worst = numpy.max(numpy.abs(got - numeric))
            raise AssertionError(f"gradient of {name} of layer '{layer.name}' differs from finite differences by up "
                                 f"to {worst:.3g}\nanalytic:\n{got}\nnumeric:\n{numeric}")
