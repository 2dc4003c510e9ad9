"""Every array call on tensors goes through the seam (`backend.xp`), so the cupy backend reaches every kernel.

A module outside neuroflow/backend.py may import numpy for dtype metadata (`numpy.float32`,
`numpy.dtype`, `numpy.finfo`, ...); any other numpy call (`numpy.asarray`, `numpy.exp`, ...)
computes on the host, and would copy or refuse a GPU array. A module that does so on purpose,
on host data only (files, datasets, the seeded generator, constants built once and then moved),
says why in a module-level string `HOST_NUMPY = "..."`, which this test reads.
"""
import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "neuroflow"

# numpy names that describe dtypes, shapes or constants: no computation on arrays.
METADATA = frozenset({
    "dtype", "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "bool_", "bool", "complex64", "complex128", "longlong", "intp", "str_", "bytes_", "object_", "void", "character",
    "flexible", "generic", "number", "integer", "floating", "inexact", "signedinteger", "unsignedinteger",
    "complexfloating", "timedelta64", "datetime64", "finfo", "iinfo", "issubdtype", "result_type", "promote_types",
    "can_cast", "ndarray", "newaxis", "pi", "e", "euler_gamma", "inf", "nan", "errstate", "ndim", "shape",
    "broadcast_shapes",
})


def _modules():
    return sorted(path for path in PACKAGE.rglob("*.py") if path.name != "backend.py" or path.parent != PACKAGE)


def _numpy_computation(tree):
    """The non-metadata numpy attributes a module uses, and whether it imports from numpy directly."""
    aliases = {alias.asname or "numpy" for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names if alias.name == "numpy"}
    direct = [node.module for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "numpy"]
    used = sorted({node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                   and isinstance(node.value, ast.Name) and node.value.id in aliases and node.attr not in METADATA})
    return used, direct


def _host_declaration(tree):
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "HOST_NUMPY" for target in node.targets):
            return node.value.value if isinstance(node.value, ast.Constant) else None
    return None


@pytest.mark.parametrize("path", _modules(), ids=lambda path: path.relative_to(PACKAGE.parent).as_posix())
def test_numpy_computation_is_declared_host_side(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used, direct = _numpy_computation(tree)
    declaration = _host_declaration(tree)
    if declaration is not None:
        assert isinstance(declaration, str) and len(declaration) > 15, "HOST_NUMPY must say why, in words"
        return
    assert not direct, f"'from numpy import' bypasses the seam: {direct}"
    assert not used, (f"numpy computes on host arrays here ({', '.join(used)}): use backend.xp, "
                      "or declare HOST_NUMPY = '<why this runs on host data>' if it does")


def test_the_check_catches_a_host_call():
    tree = ast.parse("import numpy as np\nx = np.float32\ny = np.exp(z)\n")
    assert _numpy_computation(tree) == (["exp"], []) and _host_declaration(tree) is None
    declared = ast.parse("import numpy\nHOST_NUMPY = 'constants built once on the host'\n")
    assert _host_declaration(declared) == "constants built once on the host"
