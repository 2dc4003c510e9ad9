"""One BLAS thread for these tests: their products are small, and on a loaded machine two spinning
OpenBLAS threads make a 1347 x 64 @ 64 x 16 product ten times slower (both libraries alike)."""
import pytest


@pytest.fixture(autouse=True)
def _one_blas_thread():
    threadpoolctl = pytest.importorskip("threadpoolctl")  # a scikit-learn dependency
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        yield
