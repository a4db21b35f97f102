"""neurokit.regression.RidgeCV passes scikit-learn's estimator checks (no exemptions needed).

The torch backend shares the validation code and is compared with the numpy one in test_regression_ridge.py."""
from sklearn.utils.estimator_checks import parametrize_with_checks

from neurokit.regression import RidgeCV


@parametrize_with_checks([RidgeCV()])
def test_sklearn_compatible(estimator, check):
    check(estimator)
