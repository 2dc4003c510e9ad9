"""A model's architecture as JSON: `Model.to_json` and `models.model_from_json`.

The JSON is Keras 3's: the content of a `.keras` file's config.json ({'module', 'class_name',
'config', 'registered_name', 'build_config', 'compile_config'}, Keras' module names), so a string
written by Keras' `model.to_json()` loads here and one written here loads in Keras. Weights are not
part of it.
"""
import json

from neuroflow.saving import keras_config


def model_to_json(model, **kwargs):
    """The JSON string of `model`'s architecture (and compile settings); kwargs go to `json.dumps`."""
    return json.dumps(keras_config.model_to_keras(model), **kwargs)


def model_from_json(json_string, custom_objects=None):
    """A new model (fresh weights) from the JSON of `to_json`, compiled when the JSON holds compile settings.

    Raises:
        ValueError: the string is not JSON, or does not describe a model.
    """
    try:
        config = json.loads(json_string)
    except (TypeError, json.JSONDecodeError) as error:
        raise ValueError(f"model_from_json expects the JSON string of `model.to_json()`; could not parse it: "
                         f"{error}") from None
    model = keras_config.model_from_keras(config, custom_objects)
    compile_config = config.get("compile_config") if isinstance(config, dict) else None
    if compile_config:
        keras_config.compile_from_keras(model, compile_config, custom_objects)
    return model
