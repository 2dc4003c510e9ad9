"""optimizers.legacy: Keras 3's names, each refusing construction as Keras 3 does."""
import pytest

from neuroflow import optimizers


@pytest.mark.parametrize("name", ["Adagrad", "Adam", "Ftrl", "Optimizer", "RMSprop", "SGD"])
def test_legacy_optimizers_say_they_are_gone(name):
    with pytest.raises(ImportError, match="not in Keras 3"):
        getattr(optimizers.legacy, name)(learning_rate=0.1)
