"""How much of Keras 3's public API neuroflow has: names per namespace, and parameter names.

Needs an interpreter with Keras installed (it imports Keras only when run; the test suite never
does). From the repository root:

    python3 -m venv .kerasvenv && .kerasvenv/bin/pip install keras==3.15.1 torch==2.13.0
    KERAS_BACKEND=torch PYTHONPATH=. .kerasvenv/bin/python tools/keras_api_coverage.py [--missing] [--signatures]

Prints, per namespace, Keras' public names, how many neuroflow has under the same name, and the
share; `--missing` lists the absent names, `--signatures` the callables whose parameters differ
from Keras' (a Keras parameter neuroflow lacks). Applications, quantization, distribution and
export are other work and are not counted.
"""
import argparse
import importlib
import inspect
import sys

# keras namespace -> neuroflow namespace (the same path unless listed).
NAMESPACES = [
    "", "activations", "callbacks", "config", "constraints", "datasets", "dtype_policies", "initializers",
    "layers", "losses", "metrics", "mixed_precision", "models", "ops", "ops.numpy", "ops.nn", "ops.linalg",
    "ops.image", "optimizers", "optimizers.schedules", "random", "regularizers", "saving", "tree", "utils",
    "preprocessing", "backend", "visualization", "wrappers",
]
EXCLUDED_TOP_LEVEL = {"applications", "quantizers", "distribution", "export", "src", "version"}


def public_names(module):
    return sorted(name for name in dir(module) if not name.startswith("_"))


def resolve(root, path):
    module = root
    for part in filter(None, path.split(".")):
        module = getattr(module, part, None)
        if module is None:
            return None
    return module


def missing_parameters(keras_object, ours):
    """Keras' parameter names that our callable does not accept (None when not comparable)."""
    try:
        theirs = inspect.signature(keras_object.__init__ if inspect.isclass(keras_object) else keras_object)
        mine = inspect.signature(ours.__init__ if inspect.isclass(ours) else ours)
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in mine.parameters.values()):
        accepted = None  # **kwargs may take any name
    else:
        accepted = set(mine.parameters)
    wanted = [name for name, p in theirs.parameters.items()
              if name not in ("self", "args", "kwargs") and p.kind is not inspect.Parameter.VAR_POSITIONAL]
    if accepted is None:
        return []
    return [name for name in wanted if name not in accepted]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missing", action="store_true", help="list the names neuroflow lacks")
    parser.add_argument("--signatures", action="store_true", help="list callables lacking Keras' parameters")
    arguments = parser.parse_args()

    keras = importlib.import_module("keras")
    neuroflow = importlib.import_module("neuroflow")
    total_theirs = total_ours = 0
    rows = []
    for path in NAMESPACES:
        theirs = resolve(keras, path)
        if theirs is None:
            continue
        names = public_names(theirs)
        if path == "":
            names = [name for name in names if name not in EXCLUDED_TOP_LEVEL and not inspect.ismodule(getattr(theirs, name))]
        ours = resolve(neuroflow, path)
        present = [name for name in names if ours is not None and hasattr(ours, name)]
        absent = [name for name in names if name not in present]
        total_theirs += len(names)
        total_ours += len(present)
        mismatched = []
        if arguments.signatures and ours is not None:
            for name in present:
                lacking = missing_parameters(getattr(theirs, name), getattr(ours, name))
                if lacking:
                    mismatched.append(f"{name}({', '.join(lacking)})")
        rows.append((f"keras.{path}" if path else "keras", len(names), len(present), absent, mismatched))

    width = max(len(row[0]) for row in rows)
    print(f"{'namespace':<{width}}  keras  neuroflow  share")
    for name, count, present, absent, mismatched in rows:
        print(f"{name:<{width}}  {count:5d}  {present:9d}  {100 * present / max(count, 1):4.0f}%")
        if arguments.missing and absent:
            print("    missing: " + ", ".join(absent))
        if mismatched:
            print("    lacking Keras parameters: " + "; ".join(mismatched))
    print(f"{'all':<{width}}  {total_theirs:5d}  {total_ours:9d}  {100 * total_ours / max(total_theirs, 1):4.0f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
