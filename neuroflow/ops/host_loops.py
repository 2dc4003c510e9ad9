"""The CPU loops behind ops/host_kernels.py: each a plain Python loop that numba compiles (at run time
with its jit, or ahead of time into ops/host_kernel_library.py's extension module).

Each repeats its NumPy caller's formulas term for term, in the same order, on scalars already cast to
the arrays' dtype, so that without fast-math both give the same bits (tests/ops/test_host_kernels.py).
`SIGNATURES` gives each loop's argument types for the ahead-of-time build, with `{t}` the float type
(f4 or f8): 1-D arrays for the optimizers' flat views, C-ordered 2-D arrays for the dense layer's rows
and the class scores, int64 labels.
"""
import numpy

# numpy here is the host's: the loops run on NumPy arrays (tests/test_backend_seam.py).
HOST_NUMPY = "numba loops over host NumPy arrays; the cupy backend has ops/device_kernels.py"


def adam_loop(g, m, v, w, one_minus_beta_1, one_minus_beta_2, epsilon, alpha):
    # optimizers/adam.py: m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2); w -= (m / (sqrt(v) + eps)) alpha.
    for i in range(g.shape[0]):
        gi = g[i]
        mi = m[i] + (gi - m[i]) * one_minus_beta_1
        vi = v[i] + (gi * gi - v[i]) * one_minus_beta_2
        m[i] = mi
        v[i] = vi
        w[i] -= (mi / (numpy.sqrt(vi) + epsilon)) * alpha


def rmsprop_loop(g, v, w, rho, one_minus_rho, epsilon, learning_rate):
    # optimizers/rmsprop.py without momentum or centring: v = v rho + g^2 (1 - rho); w -= (g / sqrt(v + eps)) lr.
    for i in range(g.shape[0]):
        gi = g[i]
        vi = v[i] * rho + (gi * gi) * one_minus_rho
        v[i] = vi
        w[i] -= (gi / numpy.sqrt(vi + epsilon)) * learning_rate


def sgd_loop(g, w, learning_rate):
    # optimizers/sgd.py without momentum: w -= lr g.
    for i in range(g.shape[0]):
        w[i] -= learning_rate * g[i]


def sgd_momentum_loop(g, velocity, w, momentum, learning_rate, nesterov):
    # optimizers/sgd.py: step = lr g; v = v momentum - step; w += v (Nesterov: w += momentum v, then w -= step).
    for i in range(g.shape[0]):
        step = learning_rate * g[i]
        vi = velocity[i] * momentum - step
        velocity[i] = vi
        if nesterov:
            w[i] += momentum * vi
            w[i] -= step
        else:
            w[i] += vi


def bias_relu_loop(pre, bias, zero):
    # ops/matmul.py dense: pre += bias; maximum(pre, 0, out=pre) (NaN stays NaN, -0 becomes +0 as in NumPy).
    rows, columns = pre.shape
    for i in range(rows):
        for j in range(columns):
            value = pre[i, j] + bias[j]
            pre[i, j] = value if value > zero or value != value else zero


def relu_vjp_bias_loop(g, y, g_pre, bias_grad, one, zero):
    # ops/matmul.py dense vjp: g_pre = g * (y > 0); bias_grad = add.reduce(g_pre, axis=0), which adds the
    # rows in order, starting from the first.
    rows, columns = g.shape
    for j in range(columns):
        value = g[0, j] * (one if y[0, j] > zero else zero)
        g_pre[0, j] = value
        bias_grad[j] = value
    for i in range(1, rows):
        for j in range(columns):
            value = g[i, j] * (one if y[i, j] > zero else zero)
            g_pre[i, j] = value
            bias_grad[j] += value


def pick_labels_loop(probabilities, labels, picked, sure):
    # ops/loss_kernels.py, a softmax output and integer labels: picked[i] = probabilities[i, labels[i]], with the
    # label check and the test for entries whose log would lose precision in the same pass. Returns minus the
    # number of labels outside [0, classes) when there are any; else how many picked entries are below `sure`,
    # or 0 when one is NaN (NumPy's test, minimum.reduce(picked) < sure, is False then).
    rows, classes = probabilities.shape
    bad = 0
    unsure = 0
    has_nan = False
    for i in range(rows):
        label = labels[i]
        if label < 0 or label >= classes:
            bad += 1
        else:
            value = probabilities[i, label]
            picked[i] = value
            if value < sure:
                unsure += 1
            elif value != value:
                has_nan = True
    if bad:
        return -bad
    return 0 if has_nan else unsure


def softmax_ce_grad_loop(probabilities, labels, scale, grad, one):
    # ops/loss_kernels.py vjp: grad = probabilities.copy(); grad[row, label] -= 1; grad *= scale (the mean's 1 / count).
    rows, classes = probabilities.shape
    for i in range(rows):
        for j in range(classes):
            grad[i, j] = probabilities[i, j] * scale
        label = labels[i]
        grad[i, label] = (probabilities[i, label] - one) * scale


LOOPS = {"adam": adam_loop, "rmsprop": rmsprop_loop, "sgd": sgd_loop, "sgd_momentum": sgd_momentum_loop,
         "bias_relu": bias_relu_loop, "relu_vjp_bias": relu_vjp_bias_loop, "pick_labels": pick_labels_loop,
         "softmax_ce_grad": softmax_ce_grad_loop}

SIGNATURES = {
    "adam": "void({t}[::1], {t}[::1], {t}[::1], {t}[::1], {t}, {t}, {t}, {t})",
    "rmsprop": "void({t}[::1], {t}[::1], {t}[::1], {t}, {t}, {t}, {t})",
    "sgd": "void({t}[::1], {t}[::1], {t})",
    "sgd_momentum": "void({t}[::1], {t}[::1], {t}[::1], {t}, {t}, boolean)",
    "bias_relu": "void({t}[:, ::1], {t}[::1], {t})",
    "relu_vjp_bias": "void({t}[:, ::1], {t}[:, ::1], {t}[:, ::1], {t}[::1], {t}, {t})",
    "pick_labels": "i8({t}[:, ::1], i8[::1], {t}[::1], {t})",
    "softmax_ce_grad": "void({t}[:, ::1], i8[::1], {t}, {t}[:, ::1], {t})",
}
