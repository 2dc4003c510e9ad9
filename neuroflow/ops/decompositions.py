"""Linear algebra (keras.ops.linalg): inverses, solves, determinants and decompositions, with vjps.

Every op works on stacks of matrices (..., M, N). The vjps are the standard matrix-calculus
results (Giles, "An extended collection of matrix derivative results", 2008; Murray, "Differentiation
of the Cholesky decomposition", 2016; Walter and Lehmann / Liao et al. for QR); each docstring gives
its formula, with A^-T for the inverse transpose. A singular (or, for cholesky, not positive
definite) input gives NaN, as JAX does, rather than an exception: a functional model probes its
ops with zero matrices to learn output shapes.
"""
import numpy

from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.engine.tensor import convert_to_tensor
from neuroflow.ops.elementwise import cast
from neuroflow.ops.matmul import matmul

# Imported by name: `neuroflow.ops.shape` is shadowed by the `ops.shape()` function.
from neuroflow.ops.shape import transpose

HOST_NUMPY = "catches NumPy's LinAlgError by name"  # numpy here works on host data (tests/test_backend_seam.py)


def _t(a):
    """The transpose of the last two axes."""
    return backend.xp.swapaxes(a, -1, -2)


def _nan_on_failure(function, shape_of, dtype, *arrays):
    """function(*arrays), or NaN of shape shape_of when the matrix is singular / not positive definite."""
    try:
        return function(*arrays)
    except numpy.linalg.LinAlgError:
        return backend.xp.full(shape_of, numpy.nan, dtype=dtype)


def float_input(x):
    """Tensors and placeholders pass; other inputs become Tensors; integer matrices become floatx."""
    if not hasattr(x, "shape") or not hasattr(x, "dtype"):
        x = convert_to_tensor(x)
    if not str(x.dtype).startswith(("float", "complex")):
        x = cast(x, backend.floatx())
    return x


def _check_square(x, name):
    shape = tuple(x.shape)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f"{name} expects square matrices (..., M, M); received x.shape={shape}")


inv_op = Op("inv")


@inv_op.forward
def _(a):
    out = _nan_on_failure(backend.xp.linalg.inv, a.shape, a.dtype, a)
    return out, out


@inv_op.vjp
def _(inverse, g, needs):
    # d(A^-1) = -A^-1 dA A^-1, so gA = -A^-T g A^-T.
    return (-(_t(inverse) @ g @ _t(inverse)),)


def inv(x):
    """The inverse of each square matrix; gradient gA = -A^-T g A^-T."""
    x = float_input(x)
    _check_square(x, "inv")
    return apply(inv_op, (x,), {})


det_op = Op("det")


@det_op.forward
def _(a):
    out = backend.xp.linalg.det(a)
    return out, (a, out)


@det_op.vjp
def _(residuals, g, needs):
    # Jacobi's formula: d det(A) = det(A) tr(A^-1 dA), so gA = g det(A) A^-T.
    a, determinant = residuals
    inverse = _nan_on_failure(backend.xp.linalg.inv, a.shape, a.dtype, a)
    return ((g * determinant)[..., None, None] * _t(inverse),)


def det(x):
    """The determinant of each square matrix; gradient gA = g det(A) A^-T (Jacobi's formula)."""
    x = float_input(x)
    _check_square(x, "det")
    return apply(det_op, (x,), {})


def _as_matrix_rhs(a, b):
    """b as a stack of column blocks: a 1-D b (or one with a's rank - 1) is a single column."""
    return b.ndim == a.ndim - 1


solve_op = Op("solve")


@solve_op.forward
def _(a, b):
    xp = backend.xp
    vector = _as_matrix_rhs(a, b)
    rhs = b[..., None] if vector else b
    out = _nan_on_failure(xp.linalg.solve, xp.broadcast_shapes(a.shape[:-1], rhs.shape[:-2] + (1,))[:-1]
                          + rhs.shape[-2:], xp.result_type(a, b), a, rhs)
    return (out[..., 0] if vector else out), (a, out, vector)


@solve_op.vjp
def _(residuals, g, needs):
    # X = A^-1 B: gB = A^-T g, gA = -gB X^T.
    a, x, vector = residuals
    xp = backend.xp
    g = g[..., None] if vector else g
    grad_b = _nan_on_failure(xp.linalg.solve, g.shape, g.dtype, _t(a), g)
    grad_a = -(grad_b @ _t(x)) if needs[0] else None
    return grad_a, (grad_b[..., 0] if vector else grad_b)


def solve(a, b):
    """X with A X = B; gradients gB = A^-T g and gA = -gB X^T.

    b: (..., M, K), or (..., M) for one right-hand side.
    """
    a, b = float_input(a), float_input(b)
    _check_square(a, "solve")
    return apply(solve_op, (a, b), {})


solve_triangular_op = Op("solve_triangular")


def _triangle(a, lower):
    xp = backend.xp
    return xp.tril(a) if lower else xp.triu(a)


@solve_triangular_op.forward
def _(a, b, lower=False):
    xp = backend.xp
    vector = _as_matrix_rhs(a, b)
    rhs = b[..., None] if vector else b
    triangle = _triangle(a, lower)
    out = _nan_on_failure(xp.linalg.solve, rhs.shape, xp.result_type(a, b), triangle, rhs)
    return (out[..., 0] if vector else out), (triangle, out, vector, lower)


@solve_triangular_op.vjp
def _(residuals, g, needs):
    # As solve, with gA kept to the triangle the solve reads: gA = tri(-gB X^T).
    triangle, x, vector, lower = residuals
    xp = backend.xp
    g = g[..., None] if vector else g
    grad_b = _nan_on_failure(xp.linalg.solve, g.shape, g.dtype, _t(triangle), g)
    grad_a = _triangle(-(grad_b @ _t(x)), lower) if needs[0] else None
    return grad_a, (grad_b[..., 0] if vector else grad_b)


def solve_triangular(a, b, lower=False):
    """X with T X = B, T the lower (lower=True) or upper triangle of a; the other triangle is not read.

    Gradients: gB = T^-T g, gA = tri(-gB X^T), tri the same triangle.
    """
    a, b = float_input(a), float_input(b)
    _check_square(a, "solve_triangular")
    return apply(solve_triangular_op, (a, b), {"lower": bool(lower)})


cholesky_op = Op("cholesky")


@cholesky_op.forward
def _(a, upper=False):
    lower = _nan_on_failure(backend.xp.linalg.cholesky, a.shape, a.dtype, a)
    return (_t(lower) if upper else lower), (lower, upper)


@cholesky_op.vjp
def _(residuals, g, needs):
    # Murray (2016): with gL the gradient of L, P = Phi(L^T gL) (the lower triangle, diagonal halved),
    # S = L^-T P L^-1 and gA = (S + S^T) / 2, the symmetric gradient (A's two triangles share it).
    lower, upper = residuals
    xp = backend.xp
    if upper:
        g = _t(g)
    p = xp.tril(_t(lower) @ g)
    p -= 0.5 * xp.tril(xp.triu(p))
    inverse = _nan_on_failure(xp.linalg.inv, lower.shape, lower.dtype, lower)
    s = _t(inverse) @ p @ inverse
    return (0.5 * (s + _t(s)),)


def cholesky(x, upper=False):
    """L, lower triangular, with L L^T = x (upper=True: U = L^T, x = U^T U); x symmetric positive definite.

    The gradient is symmetric: gA = (S + S^T) / 2 with S = L^-T Phi(L^T gL) L^-1 (Murray, 2016).
    """
    x = float_input(x)
    _check_square(x, "cholesky")
    return apply(cholesky_op, (x,), {"upper": bool(upper)})


def cholesky_inverse(x, upper=False):
    """(L L^T)^-1 from its Cholesky factor L (upper=True: from U, (U^T U)^-1); differentiable."""
    x = float_input(x)
    _check_square(x, "cholesky_inverse")
    gram = matmul(transpose(x, _last_two(x)), x) if upper else matmul(x, transpose(x, _last_two(x)))
    return inv(gram)


def _last_two(x):
    ndim = len(x.shape)
    return tuple(range(ndim - 2)) + (ndim - 1, ndim - 2)


eigh_values_op = Op("eigh_values")
eigh_vectors_op = Op("eigh_vectors")


@eigh_values_op.forward
def _(a):
    values, vectors = backend.xp.linalg.eigh(a)
    return values, vectors


@eigh_values_op.vjp
def _(vectors, g, needs):
    # dw_i = v_i^T dA v_i, so gA = V diag(g) V^T.
    return ((vectors * g[..., None, :]) @ _t(vectors),)


@eigh_vectors_op.forward
def _(a):
    values, vectors = backend.xp.linalg.eigh(a)
    return vectors, (values, vectors)


@eigh_vectors_op.vjp
def _(residuals, g, needs):
    # gA = V (F o (V^T gV)) V^T, F_ij = 1 / (w_j - w_i) off the diagonal, 0 on it; symmetrized.
    values, vectors = residuals
    xp = backend.xp
    gap = values[..., None, :] - values[..., :, None]
    eye = xp.eye(values.shape[-1], dtype=bool)
    with numpy.errstate(divide="ignore"):
        factor = xp.where(eye, 0.0, 1.0 / xp.where(eye, 1.0, gap))
    inner = vectors @ ((factor * (_t(vectors) @ g)) @ _t(vectors))
    return (0.5 * (inner + _t(inner)),)


def eigh(x):
    """(eigenvalues ascending, eigenvectors as columns) of each symmetric matrix; only the lower triangle is read.

    Gradients (symmetric): values gA = V diag(gw) V^T; vectors gA = V (F o V^T gV) V^T with
    F_ij = 1 / (w_j - w_i), i != j (undefined for repeated eigenvalues).
    """
    x = float_input(x)
    _check_square(x, "eigh")
    return apply(eigh_values_op, (x,), {}), apply(eigh_vectors_op, (x,), {})


eig_values_op = Op("eig_values")
eig_vectors_op = Op("eig_vectors")


@eig_values_op.forward
def _(a):
    return backend.xp.linalg.eig(a)[0], None


@eig_vectors_op.forward
def _(a):
    return backend.xp.linalg.eig(a)[1], None


def eig(x):
    """(eigenvalues, eigenvectors) of each square matrix, complex in general (not differentiable)."""
    x = float_input(x)
    _check_square(x, "eig")
    return apply(eig_values_op, (x,), {}), apply(eig_vectors_op, (x,), {})


svd_values_op = Op("svd_values")
svd_u_op = Op("svd_u")
svd_vh_op = Op("svd_vh")


@svd_values_op.forward
def _(a):
    u, s, vh = backend.xp.linalg.svd(a, full_matrices=False)
    return s, (u, vh)


@svd_values_op.vjp
def _(residuals, g, needs):
    # ds_i = u_i^T dA v_i, so gA = U diag(g) V^T (reduced factors).
    u, vh = residuals
    return ((u * g[..., None, :]) @ vh,)


@svd_u_op.forward
def _(a, full_matrices=True):
    return backend.xp.linalg.svd(a, full_matrices=full_matrices)[0], None


@svd_vh_op.forward
def _(a, full_matrices=True):
    return backend.xp.linalg.svd(a, full_matrices=full_matrices)[2], None


def svd(x, full_matrices=True, compute_uv=True):
    """(u, s, vh) with x = u diag(s) vh, or s alone when compute_uv is False.

    The singular values are differentiable (gA = U diag(gs) V^T); u and vh are not (their
    gradients are undefined for repeated values and rarely needed), so they do not record.
    """
    x = float_input(x)
    if len(x.shape) < 2:
        raise ValueError(f"svd expects matrices (..., M, N); received x.shape={tuple(x.shape)}")
    values = apply(svd_values_op, (x,), {})
    if not compute_uv:
        return values
    options = {"full_matrices": bool(full_matrices)}
    return apply(svd_u_op, (x,), options), values, apply(svd_vh_op, (x,), options)


qr_q_op = Op("qr_q")
qr_r_op = Op("qr_r")


def _qr_forward(a, mode):
    q, r = backend.xp.linalg.qr(a, mode=mode)
    return q, r


def _copy_lower_to_upper(m):
    """The symmetric matrix with m's lower triangle (diagonal included)."""
    xp = backend.xp
    return xp.tril(m) + _t(xp.tril(m, -1))


def _qr_vjp(q, r, grad_q, grad_r):
    # For M >= N (reduced Q): with W = R gR^T - gQ^T Q, gA = (gQ + Q copyltu(W)) R^-T
    # (Liao et al. 2019; PyTorch's linalg_qr_backward).
    xp = backend.xp
    w = r @ _t(grad_r) - _t(grad_q) @ q
    b = grad_q + q @ _copy_lower_to_upper(w)
    # B R^-T = (R^-1 B^T)^T: a solve against R instead of an explicit inverse.
    return _t(_nan_on_failure(xp.linalg.solve, _t(b).shape, b.dtype, r, _t(b)))


@qr_q_op.forward
def _(a, mode="reduced"):
    q, r = _qr_forward(a, mode)
    return q, (q, r)


@qr_q_op.vjp
def _(residuals, g, needs):
    q, r = residuals
    return (_qr_vjp(q, r, g, backend.xp.zeros_like(r)),)


@qr_r_op.forward
def _(a, mode="reduced"):
    q, r = _qr_forward(a, mode)
    return r, (q, r)


@qr_r_op.vjp
def _(residuals, g, needs):
    q, r = residuals
    return (_qr_vjp(q, r, backend.xp.zeros_like(q), g),)


def qr(x, mode="reduced"):
    """(q, r) with x = q r, q orthonormal columns, r upper triangular; mode 'reduced' or 'complete'.

    Differentiable for mode='reduced' and M >= N: gA = (gQ + Q copyltu(R gR^T - gQ^T Q)) R^-T,
    copyltu making a symmetric matrix of the lower triangle.

    Raises:
        ValueError: for another mode.
    """
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr expects mode 'reduced' or 'complete'; received mode={mode!r}")
    x = float_input(x)
    if len(x.shape) < 2:
        raise ValueError(f"qr expects matrices (..., M, N); received x.shape={tuple(x.shape)}")
    return apply(qr_q_op, (x,), {"mode": mode}), apply(qr_r_op, (x,), {"mode": mode})


pinv_op = Op("pinv")


@pinv_op.forward
def _(a, rcond=None):
    xp = backend.xp
    if rcond is None:
        # NumPy's default cut-off, 1e-15, relative to the largest singular value.
        out = xp.linalg.pinv(a)
    else:
        out = xp.linalg.pinv(a, rcond=rcond)
    return out, (a, out)


@pinv_op.vjp
def _(residuals, g, needs):
    # Golub and Pereyra (1973), for a constant rank: with X = A+,
    # gA = -X^T g X^T + (I - A X) g^T X X^T + X^T X g^T (I - X A).
    a, x = residuals
    xp = backend.xp
    xt = _t(x)
    eye_m = xp.eye(a.shape[-2], dtype=a.dtype)
    eye_n = xp.eye(a.shape[-1], dtype=a.dtype)
    return (-(xt @ g @ xt) + (eye_m - a @ x) @ _t(g) @ x @ xt + xt @ x @ _t(g) @ (eye_n - x @ a),)


def pinv(x, rcond=None):
    """The Moore-Penrose pseudo-inverse; singular values below rcond * the largest count as zero.

    Gradient (constant rank): gA = -X^T g X^T + (I - A X) g^T X X^T + X^T X g^T (I - X A), X = A+.
    """
    x = float_input(x)
    return apply(pinv_op, (x,), {"rcond": rcond})


def lstsq(a, b, rcond=None):
    """The least-squares (minimum-norm) solution X of a X = b: pinv(a) b, differentiable through pinv.

    b: (M, K) or (M,). rcond: the singular-value cut-off (None: machine epsilon times max(M, N)).
    """
    a, b = float_input(a), float_input(b)
    if len(a.shape) != 2:
        raise ValueError(f"lstsq expects a 2-D `a`; received a.shape={tuple(a.shape)}")
    if rcond is None:
        rcond = numpy.finfo(str(a.dtype)).eps * max(a.shape)
    inverse = pinv(a, rcond=rcond)
    return matmul(inverse, b)


lu_op = Op("lu_factor_lu")
lu_pivots_op = Op("lu_factor_pivots")


def _lu(a):
    """LU with partial pivoting, LAPACK's getrf layout: L (unit diagonal, below) and U in one matrix,
    pivots[i] the row swapped with row i (0-based)."""
    xp = backend.xp
    lu = a.astype(xp.result_type(a, xp.float32), copy=True)
    n = lu.shape[-1]
    batch = lu.reshape((-1,) + lu.shape[-2:])
    pivots = xp.zeros((batch.shape[0], min(lu.shape[-2:])), dtype=xp.int32)
    rows = xp.arange(batch.shape[0])
    for k in range(min(lu.shape[-2:])):
        pivot = k + xp.argmax(xp.abs(batch[:, k:, k]), axis=1)
        pivots[:, k] = pivot
        swapped = batch[rows, pivot].copy()
        batch[rows, pivot] = batch[:, k]
        batch[:, k] = swapped
        head = batch[:, k, k][:, None]
        with numpy.errstate(divide="ignore", invalid="ignore"):
            batch[:, k + 1:, k] = batch[:, k + 1:, k] / head
        if k + 1 < n:
            batch[:, k + 1:, k + 1:] -= batch[:, k + 1:, k][:, :, None] * batch[:, k, k + 1:][:, None, :]
    return batch.reshape(lu.shape), pivots.reshape(lu.shape[:-2] + (pivots.shape[-1],))


@lu_op.forward
def _(a):
    return _lu(a)[0], None


@lu_pivots_op.forward
def _(a):
    return _lu(a)[1], None


def lu_factor(x):
    """(lu, pivots): L and U of P x = L U packed in one matrix, and the row swaps (not differentiable)."""
    x = float_input(x)
    return apply(lu_op, (x,), {}), apply(lu_pivots_op, (x,), {})


matrix_rank_op = Op("matrix_rank")


@matrix_rank_op.forward
def _(a, tol=None):
    return backend.xp.asarray(backend.xp.linalg.matrix_rank(a, tol=tol)), None


def matrix_rank(x, tol=None):
    """The number of singular values above tol (default: largest * max(M, N) * eps); not differentiable."""
    x = float_input(x)
    return apply(matrix_rank_op, (x,), {"tol": tol})
