"""L-BFGS on neuroflow Variables: scipy's L-BFGS-B on the packed weights, the gradient from the tape.

Full-batch training of a small model, as scikit-learn's `MLPClassifier(solver='lbfgs')` does it
(scikit-learn/scikit-learn:sklearn/neural_network/_multilayer_perceptron.py `_fit_lbfgs`): the
variables are packed into one float64 vector, scipy minimizes, the result is unpacked into them.
It works on any Variables, so Keras-style code can use it too:

    from neuroflow import losses
    from neuroflow.sklearn.lbfgs import minimize_lbfgs

    loss_fn = losses.MeanSquaredError()
    result = minimize_lbfgs(lambda: loss_fn(y, model(x)), model.trainable_variables, max_iter=500)
    result.fun, result.nit
"""
# scipy works on one float64 vector: host-side NumPy.
import numpy
import scipy.optimize

from neuroflow import backend
from neuroflow.engine.tape import GradientTape

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "scikit-learn's estimators: targets, loss constants and the L-BFGS vector are host arrays"


def pack(arrays):
    """One flat float64 vector of the arrays' values, in order."""
    # backend.to_numpy: on a device the values are copied to the host, where scipy works.
    return numpy.concatenate([backend.to_numpy(getattr(array, "value", array)).astype(numpy.float64).reshape(-1)
                              for array in arrays])


def unpack_into(vector, variables):
    """Writes consecutive segments of `vector` into `variables` (in their shapes and dtypes)."""
    start = 0
    for variable in variables:
        stop = start + variable.value.size
        variable.assign(vector[start:stop].reshape(variable.value.shape))
        start = stop


def minimize_lbfgs(loss_fn, variables, max_iter=15000, max_fun=15000, tol=1e-5):
    """Minimizes `loss_fn()` over `variables` with scipy's L-BFGS-B; the variables end at the minimizer.

    Args:
        loss_fn: a function of no arguments returning the scalar loss Tensor to differentiate, or a
            pair (that Tensor, the float to report to scipy as the loss).
        variables: the Variables to optimize (e.g. `model.trainable_variables`).
        max_iter: scipy's `maxiter`, the most L-BFGS iterations.
        max_fun: scipy's `maxfun`, the most loss evaluations.
        tol: scipy's `gtol`: stop when the largest gradient component is below it.

    Returns:
        scipy's `OptimizeResult` (`fun`, `nit`, `nfev`, `status`, `message`, `x`).
    """
    variables = list(variables)

    def loss_and_gradient(vector):
        unpack_into(vector, variables)
        with GradientTape() as tape:
            result = loss_fn()
        objective, reported = result if isinstance(result, tuple) else (result, None)
        gradients = tape.gradient(objective, variables)
        gradient = pack([numpy.zeros(v.value.shape) if g is None else g for g, v in zip(gradients, variables)])
        return (float(objective) if reported is None else float(reported)), gradient

    result = scipy.optimize.minimize(loss_and_gradient, pack([v.value for v in variables]), method="L-BFGS-B",
                                     jac=True, options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol})
    unpack_into(result.x, variables)
    return result
