"""Measure neuroflow's structure: import circles, imports inside functions, module sizes,
and how many files one eager training step and one load_model pass through.

Run from the repository root:  python tools/structure_report.py [--json]
The figures are the ones issue 9 asks for before and after the restructuring.
"""

import argparse
import ast
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "neuroflow"


def module_name(path):
    relative = path.relative_to(ROOT).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def resolve(importer, is_package, node_module, level):
    if level == 0:
        return node_module
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    if node_module:
        base = base + node_module.split(".")
    return ".".join(base)


def collect_imports(modules):
    """Return [(importer, imported, inside_function, has_comment_line)] for internal imports."""
    edges, counted = [], set()
    for name, path in modules.items():
        source = path.read_text()
        lines = source.splitlines()
        tree = ast.parse(source)
        is_package = path.name == "__init__.py"
        function_spans = []
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                function_spans.append((node.lineno, node.end_lineno))

        def inside(line, spans=function_spans):
            return any(start < line <= end for start, end in spans)

        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = resolve(name, is_package, node.module, node.level)
                targets = []
                for alias in node.names:
                    candidate = f"{base}.{alias.name}"
                    targets.append(candidate if candidate in modules else base)
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if not target or not target.startswith("neuroflow") or target == name:
                    continue
                nearby = " ".join(lines[max(0, node.lineno - 3): node.end_lineno])
                edge = (name, target, inside(node.lineno), "#" in nearby)
                # One import statement naming several objects of one module is one import.
                if (edge, node.lineno) not in counted:
                    counted.add((edge, node.lineno))
                    edges.append(edge)
    return edges


def strongly_connected(nodes, edges):
    graph = {n: set() for n in nodes}
    for a, b, *_ in edges:
        graph[a].add(b)
    index, low, stack, on_stack, result = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for v in nodes:
        if v not in index:
            visit(v)
    return result


def files_touched(action):
    """Files under neuroflow/ whose code runs during action()."""
    seen = set()
    calls = [0]
    package = str(PACKAGE)

    def profiler(frame, event, arg):
        if event == "call":
            filename = frame.f_code.co_filename
            if filename.startswith(package):
                seen.add(os.path.relpath(filename, ROOT))
                calls[0] += 1

    sys.setprofile(profiler)
    try:
        action()
    finally:
        sys.setprofile(None)
    return sorted(seen), calls[0]


def runtime_figures():
    sys.path.insert(0, str(ROOT))
    import numpy as np

    import neuroflow as nf

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 20)).astype("float32")
    y = rng.integers(0, 10, size=64)
    model = nf.Sequential([nf.layers.Input((20,)), nf.layers.Dense(32, activation="relu"),
                           nf.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], run_eagerly=True)
    model.train_on_batch(x[:32], y[:32])  # build and warm every path once
    step_files, step_calls = files_touched(lambda: model.train_on_batch(x[:32], y[:32]))
    # The step fit runs per batch: train_step on a batch the data pipeline already prepared.
    batch = (x[:32], y[:32])
    train_step_files, train_step_calls = files_touched(lambda: model.train_step(batch))

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "m.keras")
        model.save(path)
        nf.models.load_model(path)  # warm imports
        load_files, load_calls = files_touched(lambda: nf.models.load_model(path))
    return {
        "eager_step_files": step_files, "eager_step_calls": step_calls,
        "eager_train_step_files": train_step_files, "eager_train_step_calls": train_step_calls,
        "load_model_files": load_files, "load_model_calls": load_calls,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--verbose", action="store_true", help="list circles, files and deferred imports")
    args = parser.parse_args()

    modules = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
    edges = collect_imports(modules)
    circles = strongly_connected(list(modules), edges)
    deferred = [e for e in edges if e[2]]
    undocumented = [e for e in deferred if not e[3]]
    sizes = sorted(((len(p.read_text().splitlines()), n) for n, p in modules.items()), reverse=True)
    report = {
        "modules": len(modules),
        "internal_imports": len(edges),
        "imports_inside_functions": len(deferred),
        "imports_inside_functions_share": round(len(deferred) / max(1, len(edges)), 3),
        "deferred_imports_without_comment": len(undocumented),
        "import_circles": [len(c) for c in circles],
        "modules_over_600_lines": [(n, s) for s, n in sizes if s > 600],
    }
    report.update(runtime_figures())
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(f"modules: {report['modules']}")
    print(f"internal imports: {report['internal_imports']}, inside functions: "
          f"{report['imports_inside_functions']} ({100 * report['imports_inside_functions_share']:.0f}%), "
          f"of which without a comment: {report['deferred_imports_without_comment']}")
    print(f"import circles (sizes): {report['import_circles']}")
    print(f"modules over 600 lines: {report['modules_over_600_lines']}")
    print(f"one eager Sequential MLP train step: {len(report['eager_step_files'])} files, "
          f"{report['eager_step_calls']} calls")
    print(f"  of which train_step on a prepared batch (what fit runs per batch): "
          f"{len(report['eager_train_step_files'])} files, {report['eager_train_step_calls']} calls")
    print(f"load_model('m.keras'): {len(report['load_model_files'])} files, {report['load_model_calls']} calls")
    if args.verbose:
        for circle in circles:
            print("circle:", ", ".join(circle))
        for a, b, _, commented in deferred:
            print(f"deferred: {a} -> {b}{'' if commented else '  (no comment)'}")
        print("step files:", *report["eager_step_files"], sep="\n  ")


if __name__ == "__main__":
    main()
