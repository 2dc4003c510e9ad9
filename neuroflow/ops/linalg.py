"""`neuroflow.ops.linalg`: Keras 3's `keras.ops.linalg` namespace, the linear-algebra ops.

Every name here is also in `neuroflow.ops`; each function is defined beside its op in its family module.
Keras names not yet here are listed by tools/keras_api_coverage.py --missing.
"""
from neuroflow.ops.decompositions import (
    cholesky,
    cholesky_inverse,
    det,
    eig,
    eigh,
    inv,
    lstsq,
    lu_factor,
    matrix_rank,
    pinv,
    qr,
    solve,
    solve_triangular,
    svd,
)
from neuroflow.ops.norms import norm

# isort: split
# Issue 10: keras.ops.linalg.jvp.
from neuroflow.ops.jvp import jvp
