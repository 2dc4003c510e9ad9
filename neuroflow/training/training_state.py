"""Everything `fit` needs to go on exactly where it stopped, as arrays and a JSON-able dict.

callbacks.BackupAndRestore writes this state to one file and reads it back, so that a run killed
at any point and started again ends bit for bit where an uninterrupted run would. Weights alone
do not suffice: the next batches depend on

    the variables      model.variables: the weights and the SeedGenerators' state counters
    the random streams neuroflow's generator (seeding.py: shuffling) and each SeedGenerator's
                       `rng` (dropout, noise, augmentation), as NumPy bit-generator states
    the optimizer      its step count, learning rate and slots (keyed by their model variable,
                       so the order it built them in does not matter)
    the metrics        the running totals of the epoch under way (the epoch's logs come from them)

The counters (epoch, batch) and the History so far are the callback's to keep beside these.
"""
import numpy

from neuroflow import seeding

HOST_NUMPY = "a backup's resume state is host data"  # numpy here works on host data (tests/test_backend_seam.py)


def _seed_generators(model):
    return [generator for layer in model._flatten_layers() for generator in layer.__dict__.get("_seed_generators", ())]


def random_state(model):
    """The bit-generator states of neuroflow's generator and of every SeedGenerator of `model`."""
    return {"global": seeding.generator().bit_generator.state,
            "layers": [generator.rng.bit_generator.state for generator in _seed_generators(model)]}


def set_random_state(model, state):
    """Puts back what `random_state` returned (the same model structure)."""
    seeding.generator().bit_generator.state = state["global"]
    generators = _seed_generators(model)
    if len(generators) != len(state["layers"]):
        raise ValueError(f"The saved training state has {len(state['layers'])} random streams but model "
                         f"'{model.name}' has {len(generators)}; it was saved from a different model")
    for generator, saved in zip(generators, state["layers"]):
        generator.rng.bit_generator.state = saved


def _metric_variables(model):
    metrics = list(model.metrics) + list(getattr(model, "_output_loss_trackers", []))
    compiled = getattr(model, "_compile_metrics", None)
    variables = []
    for metric in metrics:
        if metric is compiled:
            for built in compiled.metrics or []:
                for inner, _ in built:
                    variables += list(inner.variables)
        else:
            variables += list(metric.variables)
    return variables


def metrics_built(model):
    """Whether the compiled metrics exist yet (they are made on the first batch a model sees)."""
    compiled = getattr(model, "_compile_metrics", None)
    return compiled is None or compiled.metrics is not None


def _optimizer_entries(model):
    """(variable, key) for every optimizer variable: ('slot', index in model.variables, name) or ('extra', n)."""
    optimizer = model.optimizer
    index = {id(variable): number for number, variable in enumerate(model.variables)}
    owner = {id(slot): (index.get(variable_id), name) for variable_id, slots in optimizer._slots.items()
             for name, slot in slots.items()}
    entries, extra = [], 0
    for variable in optimizer.variables:
        found = owner.get(id(variable))
        if found is not None and found[0] is not None:
            entries.append((variable, ["slot", found[0], found[1]]))
        else:
            entries.append((variable, ["extra", extra]))
            extra += 1
    return entries


def capture(model):
    """(arrays, description): the training state of `model` now (see the module docstring)."""
    arrays = {f"variable/{n}": numpy.array(v.numpy()) for n, v in enumerate(model.variables)}
    description = {"variables": len(model.variables), "random": random_state(model)}
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and optimizer.built:
        keys = []
        for number, (variable, key) in enumerate(_optimizer_entries(model)):
            arrays[f"optimizer/{number}"] = numpy.array(variable.numpy())
            keys.append(key)
        learning_rate = optimizer._learning_rate if isinstance(optimizer._learning_rate, float) else None
        description["optimizer"] = {"class_name": type(optimizer).__name__, "iterations": int(optimizer._iterations),
                                    "learning_rate": learning_rate, "keys": keys}
    if metrics_built(model):
        metric_variables = _metric_variables(model)
        for number, variable in enumerate(metric_variables):
            arrays[f"metric/{number}"] = numpy.array(variable.numpy())
        description["metrics"] = len(metric_variables)
        compiled = getattr(model, "_compile_metrics", None)
        description["metric_shapes"] = getattr(compiled, "built_shapes", None)
    return arrays, description


def restore(model, arrays, description):
    """Puts back the variables, the optimizer and the random streams from `capture` (the metrics:
    `restore_metrics`, at the batch where the run goes on)."""
    variables = model.variables
    if len(variables) != description["variables"]:
        raise ValueError(f"The saved training state holds {description['variables']} variables but model "
                         f"'{model.name}' has {len(variables)}; it was saved from a different model")
    for number, variable in enumerate(variables):
        value = arrays[f"variable/{number}"]
        if value.shape != tuple(variable.shape):
            raise ValueError(f"The saved training state's variable {number} has shape {value.shape} but "
                             f"'{getattr(variable, 'path', variable.name)}' has shape {tuple(variable.shape)}")
        variable.assign(value)
    saved = description.get("optimizer")
    optimizer = getattr(model, "optimizer", None)
    if saved is not None and optimizer is not None:
        if saved["class_name"] != type(optimizer).__name__:
            raise ValueError(f"The saved training state is for optimizer {saved['class_name']}; model '{model.name}' is "
                             f"compiled with {type(optimizer).__name__}")
        if not optimizer.built:
            optimizer.build(model.trainable_variables)
        targets = {tuple(key): variable for variable, key in _optimizer_entries(model)}
        for number, key in enumerate(saved["keys"]):
            target = targets.get(tuple(key))
            if target is None:
                raise ValueError(f"The saved training state's optimizer variable {key} has no match in optimizer "
                                 f"'{optimizer.name}'; it was saved from a different model or optimizer")
            target.assign(arrays[f"optimizer/{number}"])
        optimizer._iterations = int(saved["iterations"])
        if saved["learning_rate"] is not None:
            optimizer._learning_rate = float(saved["learning_rate"])
    set_random_state(model, description["random"])


def restore_metrics(model, arrays, description):
    """Puts back the metrics' running totals, first making the compiled metrics if no batch has yet."""
    if "metrics" not in description:
        return
    if not metrics_built(model) and description.get("metric_shapes") is not None:
        model._compile_metrics.build_for_shapes(description["metric_shapes"])
    variables = _metric_variables(model)
    if description.get("metrics") != len(variables):
        raise ValueError(f"The saved training state holds {description.get('metrics')} metric variables but model "
                         f"'{model.name}' has {len(variables)}")
    for number, variable in enumerate(variables):
        variable.assign(arrays[f"metric/{number}"])
