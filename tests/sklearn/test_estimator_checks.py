"""scikit-learn's own estimator test suite on MLPClassifier and MLPRegressor, with no expected failures.

max_iter=100 is what scikit-learn's suite sets for its own MLPs (PER_ESTIMATOR_CHECK_PARAMS in
sklearn/utils/_test_common/instance_generator.py), to keep the checks quick.
"""
import pytest

pytest.importorskip("sklearn")
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from neuroflow.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


@parametrize_with_checks([MLPClassifier(max_iter=100), MLPRegressor(max_iter=100)], expected_failed_checks=lambda _: {})
def test_scikit_learn_estimator_checks(estimator, check):
    assert_passes(check, estimator)


def assert_passes(check, estimator):
    """scikit-learn's checks raise AssertionError (or the estimator's own error) when the estimator fails them."""
    try:
        check(estimator)
    except AssertionError as failure:
        pytest.fail(f"{getattr(check, 'func', check).__name__} failed on {type(estimator).__name__}: {failure}")
