"""`DTypePolicy`: the dtypes a layer computes in and keeps its variables in (Keras').

A policy named after a float dtype ('float32', 'float64', 'float16') uses that dtype for both. The
mixed policies compute in half precision with float32 variables, as in Keras: a layer under
'mixed_float16' keeps float32 weights, casts its floating inputs to float16 and reads its weights as
float16 inside its call (layers/layer.py, engine/autocast.py), and compile wraps the optimizer in a
LossScaleOptimizer. 'mixed_bfloat16' can be built and inspected, but not put in force: neither
NumPy nor CuPy has a bfloat16 dtype (see `check_computable`). Without a global policy set, the
policy follows `backend.floatx()`.
"""
import numpy

from neuroflow import backend

MIXED_POLICIES = {"mixed_float16": ("float16", "float32"), "mixed_bfloat16": ("bfloat16", "float32")}
_global_policy = None


class DTypePolicy:
    """A dtype policy: `name`, `compute_dtype`, `variable_dtype`.

    Args:
        name: 'float16', 'float32', 'float64', 'mixed_float16' or 'mixed_bfloat16'; None for the
            global policy's name.

    Raises:
        TypeError: for a name that is not a string.
        ValueError: for a name that is not one of these.
    """

    def __init__(self, name=None):
        if name is None:
            name = dtype_policy().name
        self._name = name
        self._compute_dtype, self._variable_dtype = self._parse_name(name)
        self._quantization_mode = None

    @staticmethod
    def _parse_name(name):
        if not isinstance(name, str):
            raise TypeError(f"'name' must be a string, such as 'mixed_float16'. Received: name={name!r} "
                            f"(of type {type(name)})")
        if name in MIXED_POLICIES:
            return MIXED_POLICIES[name]
        try:
            dtype = numpy.dtype(name)
        except TypeError:
            dtype = None
        if name == "bfloat16" or dtype is None or dtype.kind != "f":
            raise ValueError(f"Cannot convert '{name}' to a mixed precision DTypePolicy. Valid policies include "
                             "'mixed_float16', 'mixed_bfloat16', and the name of any float dtype such as 'float32'"
                             " (neuroflow has no bfloat16 arrays: NumPy and CuPy lack the dtype).")
        return dtype.name, dtype.name

    @property
    def name(self):
        return self._name

    @property
    def compute_dtype(self):
        """The dtype of a layer's computations (float16 for 'mixed_float16')."""
        return self._compute_dtype

    @property
    def variable_dtype(self):
        """The dtype of a layer's weights (float32 for the mixed policies)."""
        return self._variable_dtype

    @property
    def quantization_mode(self):
        """None: neuroflow has no quantized policies."""
        return self._quantization_mode

    @property
    def is_mixed(self):
        return self._compute_dtype != self._variable_dtype

    def get_config(self):
        return {"name": self._name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f'<DTypePolicy "{self._name}">'

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and type(other) in (DTypePolicy, FloatDTypePolicy) \
            and self._name == other._name

    def __hash__(self):
        return hash(self._name)


class FloatDTypePolicy(DTypePolicy):
    """Keras' older name for a `DTypePolicy` of float dtypes."""


def set_dtype_policy(policy):
    """Sets the global dtype policy: layers built without a `dtype` take its variable dtype.

    Args:
        policy: a policy name or a `DTypePolicy`.

    Raises:
        ValueError: for anything else.
        NotImplementedError: for 'mixed_bfloat16' (no bfloat16 arrays: see `check_computable`).
    """
    global _global_policy
    if isinstance(policy, str):
        policy = DTypePolicy(policy)
    if not isinstance(policy, DTypePolicy):
        raise ValueError("Invalid `policy` argument. Expected the string name of a policy (such as 'mixed_float16') "
                         f"or a `DTypePolicy` instance. Received: policy={policy!r} (of type {type(policy)})")
    check_computable(policy)
    _global_policy = policy


def check_computable(policy, owner="set as the global policy"):
    """Raises when the backend has no arrays of `policy`'s compute dtype (bfloat16 today).

    NumPy has no bfloat16. The `ml_dtypes` package (JAX's) adds one, and was tried: its matmul
    returns float32, `einsum` refuses it, and its dtype kind is 'V', not 'f', so every floating-point
    test in NumPy code (and here) takes it for a structured type. CuPy has no bfloat16 dtype at all.
    So 'mixed_bfloat16' is refused with this error rather than run half-way.

    Raises:
        NotImplementedError: for a bfloat16 compute dtype, naming the backend and what it lacks.
    """
    if policy.compute_dtype != "bfloat16":
        return
    if backend.backend() != "numpy":  # CuPy, or the stand-in device that plays it in tests
        lacking = "CuPy has no bfloat16 dtype"
    else:
        lacking = ("NumPy has no bfloat16 dtype (ml_dtypes' bfloat16 is not enough: NumPy's matmul returns float32 "
                   "for it, einsum refuses it, and it is not a floating-point kind to NumPy)")
    raise NotImplementedError(f"The dtype policy {policy.name!r} {owner} computes in bfloat16, and {lacking}. "
                              "Use 'mixed_float16' (float16 compute, float32 variables) or 'float32'.")


def dtype_policy():
    """The global dtype policy: the one set, else the policy of `backend.floatx()`."""
    return _global_policy if _global_policy is not None else DTypePolicy(backend.floatx())


def reset_dtype_policy():
    """Back to following `backend.floatx()` (as `set_dtype_policy` was never called)."""
    global _global_policy
    _global_policy = None
