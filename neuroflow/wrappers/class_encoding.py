"""Labels <-> class indices / one-hot rows, for both scikit-learn classifier spellings."""
# Host-side bookkeeping only (labels, one-hot targets, argmax of predictions): scikit-learn hands
# over and expects NumPy arrays, so `backend.xp` has no place here.
import numpy

from neuroflow import backend

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "scikit-learn's side: labels, scores and predictions are host arrays"


class _ClassEncoding:
    """Labels <-> class indices / one-hot rows, shared by both classifier spellings.

    Any hashable labels work (ints, strings, ...): `classes_` is `numpy.unique(y)`, sorted, and a
    label's index is its position there. A 2-D `y` with several columns is taken as one-hot already.
    """

    def _fit_classes(self, y):
        # Deferred: scikit-learn is an optional extra, imported only once a wrapper is used.
        from sklearn.utils import column_or_1d
        from sklearn.utils.multiclass import check_classification_targets, type_of_target
        name = type(self).__name__
        y = numpy.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:
            if not numpy.isin(y, (0, 1)).all() or not (y.sum(axis=1) == 1).all():
                raise ValueError(f"{name}: a 2-D y with {y.shape[1]} columns must be one-hot (one 1 per row); "
                                 "pass the labels as a 1-D array instead")
            self.classes_ = numpy.arange(y.shape[1])
            self.n_classes_ = y.shape[1]
            return numpy.argmax(y, axis=1)
        # A column of labels is taken as 1-D, with scikit-learn's DataConversionWarning.
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)  # "Unknown label type" for continuous or object-of-anything targets
        target_type = type_of_target(y)
        if target_type not in ("binary", "multiclass"):
            raise ValueError(f"{name} supports binary and multiclass targets only; y is {target_type!r} "
                             "(use a regressor for continuous targets)")
        self.classes_ = numpy.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(f"{name} needs at least 2 classes in y; got 1 class: {self.classes_.tolist()}")
        self.n_classes_ = len(self.classes_)
        return numpy.searchsorted(self.classes_, y)

    def _class_indices(self, y):
        """Indices of labels seen in fit; unknown labels are an error, not a silent wrong index."""
        y = numpy.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:
            return numpy.argmax(y, axis=1)
        y = y.reshape(-1)
        unknown = ~numpy.isin(y, self.classes_)
        if unknown.any():
            raise ValueError(f"{type(self).__name__}: labels {numpy.unique(y[unknown]).tolist()} were not seen in "
                             f"fit (classes: {self.classes_.tolist()})")
        return numpy.searchsorted(self.classes_, y)

    def _one_hot(self, indices):
        return numpy.eye(len(self.classes_), dtype=backend.floatx())[indices]

    def _labels(self, outputs):
        """Predicted labels from the model's outputs: argmax over classes, or p > 0.5 for one sigmoid unit."""
        outputs = numpy.asarray(outputs)
        if outputs.ndim == 1 or outputs.shape[-1] == 1:
            indices = (outputs.reshape(-1) > 0.5).astype(int)
        else:
            indices = numpy.argmax(outputs, axis=-1)
        return self.classes_[indices]

    @staticmethod
    def _probabilities(outputs):
        """Class probabilities, one column per class: one sigmoid unit p becomes the columns (1 - p, p)."""
        outputs = numpy.asarray(outputs)
        if outputs.ndim == 1 or outputs.shape[-1] == 1:
            positive = outputs.reshape(-1, 1)
            return numpy.hstack([1.0 - positive, positive])
        return outputs
