"""Models: Sequential, Functional (via Model(inputs, outputs)) and subclassed Model."""
from neuroflow.models.functional import Functional
from neuroflow.models.model import Model
from neuroflow.models.sequential import Sequential
from neuroflow.saving import load_model, save_model
from neuroflow.saving.json_format import model_from_json


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture and freshly initialized weights."""
    return type(model).from_config(model.get_config())
