"""A traced program written out as one straight-line Python function (what `Program.run` calls).

Interpreting the instruction list costs a loop, a list of arguments built by branching on each
source's kind, and tuple unpacking per op and per gradient: on a small network that is a tenth
of a training step (about 15 us of a 190 us digits-MLP step on this project's 2-core VM). Written
out, each op is one call with its arguments named directly, e.g. for a Dense layer and its vjp:

    v0, r0 = f0(leaves[0], w0.value, w1.value, activation=c0)
    ...
    if g0 is not None:
        t = b0(r0, g0, n0)
        g0 = r0 = None
        x = t[1]
        if x is not None:
            if x.shape != s1: x = unbroadcast(x, s1)
            if x.dtype != d1: x = x.astype(d1)
            vg0 = x if vg0 is None else vg0 + x

(a gradient with a single contribution, as most are, is assigned directly: `vg0 = x`). The
function does exactly what the loop did, in the same order (the same gradient accumulation, so
the same bits); `Program.source` holds the text, for anyone who wants to read a traced step.
"""
import collections
import keyword

from neuroflow import backend
from neuroflow.engine.graph import unbroadcast

SLOT, VARIABLE, LEAF, CONSTANT = 0, 1, 2, 3  # where an op input comes from (engine/trace.py reads them from here)


def write(instructions, backward, loss_slot, output_slots, variable_count):
    """(source text, namespace) of `run(leaves) -> (loss, outputs, variable_gradients)`.

    Args:
        instructions: [(forward, sources, params)], sources as (kind, reference) pairs.
        backward: [(index, vjp, needs, targets)] in the order to run them; each target is None or
            (is_variable, slot, shape, dtype).
        loss_slot: the instruction whose value is the loss.
        output_slots: the instructions whose values are handed back (None for a missing one).
        variable_count: how many variable gradients to return.
    """
    namespace = {"backend": backend, "unbroadcast": unbroadcast}
    lines = ["def run(leaves):"]
    variable_names = {}

    def bind(prefix, value):
        name = f"{prefix}{len(namespace)}"
        namespace[name] = value
        return name

    for index, (forward, sources, params) in enumerate(instructions):
        arguments = []
        for kind, reference in sources:
            if kind == SLOT:
                arguments.append(f"v{reference}")
            elif kind == VARIABLE:
                if id(reference) not in variable_names:
                    variable_names[id(reference)] = bind("w", reference)
                arguments.append(f"{variable_names[id(reference)]}.value")  # read at each run: it changes
            elif kind == LEAF:
                arguments.append(f"leaves[{reference}]")
            else:
                arguments.append(bind("c", reference))
        if params and all(isinstance(key, str) and key.isidentifier() and not keyword.iskeyword(key) for key in params):
            # By name, each value bound once: a third of the cost of unpacking a dict at each call.
            arguments += [f"{key}={bind('c', value)}" for key, value in params.items()]
        elif params:
            arguments.append(f"**{bind('p', params)}")
        lines.append(f"    v{index}, r{index} = {bind('f', forward)}({', '.join(arguments)})")
    lines.append(f"    loss = v{loss_slot}")
    lines.append("    outputs = [" + ", ".join("None" if slot is None else f"v{slot}" for slot in output_slots) + "]")
    if instructions:
        # What the backward pass needs is in the residuals: the other forward values go now.
        lines.append("    del " + ", ".join(f"v{index}" for index in range(len(instructions))))
    gradient_names = {f"g{index}" for index, _, _, _ in backward}
    gradient_names.update(f"g{target[1]}" for _, _, _, targets in backward for target in targets
                          if target is not None and not target[0])
    gradient_names.discard(f"g{loss_slot}")
    lines.append(f"    g{loss_slot} = backend.xp.ones(loss.shape, dtype=loss.dtype)")
    for name in sorted(gradient_names) + [f"vg{k}" for k in range(variable_count)]:
        lines.append(f"    {name} = None")
    contributions = collections.Counter(
        (target[0], target[1]) for _, _, _, targets in backward for target in targets if target is not None)
    for index, vjp, needs, targets in backward:
        lines.append(f"    if g{index} is not None:")
        lines.append(f"        t = {bind('b', vjp)}(r{index}, g{index}, {bind('n', needs)})")
        lines.append(f"        g{index} = r{index} = None")
        for position, target in enumerate(targets):
            if target is None:
                continue
            is_variable, slot, shape, dtype = target
            store = f"vg{slot}" if is_variable else f"g{slot}"
            shape_name, dtype_name = bind("s", shape), bind("d", dtype)
            # The only contribution to a gradient is the gradient (what `x if None else` would give).
            accumulate = "x" if contributions[is_variable, slot] == 1 else f"x if {store} is None else {store} + x"
            lines += [f"        x = t[{position}]",
                      "        if x is not None:",
                      f"            if x.shape != {shape_name}: x = unbroadcast(x, {shape_name})",
                      f"            if x.dtype != {dtype_name}: x = x.astype({dtype_name})",
                      f"            {store} = {accumulate}"]
    lines.append("    return loss, outputs, [" + ", ".join(f"vg{k}" for k in range(variable_count)) + "]")
    return "\n".join(lines) + "\n", namespace


def compile_run(instructions, backward, loss_slot, output_slots, variable_count):
    """The function `write` describes, and its source text."""
    source, namespace = write(instructions, backward, loss_slot, output_slots, variable_count)
    exec(compile(source, "<traced step>", "exec"), namespace)  # noqa: S102 - our own generated text, no user input
    return namespace["run"], source
