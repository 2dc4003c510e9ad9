"""The one name registry: built-ins register where they are defined, user classes only when asked."""
import pytest

from neuroflow import initializers, layers, losses, metrics, optimizers, saving
from neuroflow.utils import registry


def test_builtin_classes_register_from_their_base_class():
    assert registry.builtins("layers")["Dense"] is layers.Dense
    assert registry.builtins("layers")["Sequential"].__name__ == "Sequential"
    assert registry.builtins("initializers")["GlorotUniform"] is initializers.GlorotUniform
    assert registry.builtins("losses")["Huber"] is losses.Huber
    assert registry.builtins("metrics")["AUC"] is metrics.AUC
    assert registry.builtins("optimizers")["Adam"] is optimizers.Adam
    assert registry.builtins("schedules")["ExponentialDecay"] is optimizers.schedules.ExponentialDecay


def test_user_subclasses_are_not_registered_until_asked():
    class Scaled(layers.Dense):
        pass

    assert "Scaled" not in registry.builtins("layers")
    with pytest.raises(registry.UnknownClassError, match="Scaled.*custom_objects"):
        registry.resolve_class("Scaled")
    assert registry.resolve_class("Scaled", {"Scaled": Scaled}) is Scaled

    registered = saving.register_keras_serializable(package="tests_registry")(Scaled)
    assert saving.get_registered_name(registered) == "tests_registry>Scaled"
    assert saving.get_registered_object("tests_registry>Scaled") is Scaled
    assert registry.resolve_class("tests_registry>Scaled") is Scaled
    assert not registry.is_builtin(Scaled)


def test_scopes_come_after_custom_objects_and_before_registrations():
    first, second = object(), object()
    with saving.custom_object_scope({"thing": first}):
        assert saving.get_registered_object("thing") is first
        assert saving.get_registered_object("thing", {"thing": second}) is second
        with saving.CustomObjectScope({"thing": second}):
            assert saving.get_registered_object("thing") is second
    assert saving.get_registered_object("thing") is None


def test_lookup_accepts_keras_spellings_and_names_the_closest():
    known = registry.builtins("initializers")
    for name in ("glorot_uniform", "GlorotUniform", "glorotuniform"):
        assert registry.lookup("initializer", name, known) is initializers.GlorotUniform
    with pytest.raises(ValueError, match="Did you mean"):
        registry.lookup("initializer", "glorot_unifrom", known)


def test_from_config_passes_custom_objects_only_where_taken():
    class Plain:
        @classmethod
        def from_config(cls, config):
            return ("plain", config)

    class Nested:
        @classmethod
        def from_config(cls, config, custom_objects=None):
            return ("nested", custom_objects)

    assert registry.from_config(Plain, {"a": 1}, {"x": 1}) == ("plain", {"a": 1})
    assert registry.from_config(Nested, {}, {"x": 1}) == ("nested", {"x": 1})
