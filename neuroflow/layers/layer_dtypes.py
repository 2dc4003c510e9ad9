"""The dtypes a layer keeps its variables in and computes in, from its `dtype` argument (Keras' policy).

A float dtype name ('float32') is both. A dtype policy, by name ('mixed_float16'), as a
`DTypePolicy` or as its serialized dict, can differ: 'mixed_float16' keeps float32 variables and
computes in float16 (layers/layer.py casts the inputs, engine/autocast.py the variables). Other
dtypes (a lookup layer's 'int64') are the layer's dtype as they are. Floating inputs are cast to
the compute dtype where a call receives them (`_to_tensor`); integer inputs stay as they are.
"""
from neuroflow import backend, dtype_policies, dtypes
from neuroflow.dtype_policies.dtype_policy import MIXED_POLICIES, DTypePolicy, check_computable, dtype_policy
from neuroflow.engine.tensor import Tensor
from neuroflow.ops.elementwise import cast_op as _cast_op
from neuroflow.utils import nest


class LayerDTypes:
    """Layer's dtype attributes (`dtype` = `variable_dtype`, `compute_dtype`, `dtype_policy`) and its input cast."""

    def _set_dtype_policy(self, dtype):
        """Sets `dtype` (the variables' dtype), `compute_dtype` and the policy from a `dtype` argument."""
        if dtype is None:
            policy = dtype_policy()
        elif isinstance(dtype, DTypePolicy):
            policy = dtype
        elif isinstance(dtype, dict):
            policy = dtype_policies.deserialize(dtype)
        elif isinstance(dtype, str) and dtype in MIXED_POLICIES:
            policy = DTypePolicy(dtype)
        else:
            policy = None
        if policy is None:
            self.dtype = dtypes.standardize_dtype(dtype, f"layer '{self.name}'")
            return
        check_computable(policy, f"of layer '{self.name}'")
        self._variable_dtype, self.compute_dtype = policy.variable_dtype, policy.compute_dtype
        # Only a mixed policy is kept: it is what get_config writes instead of the dtype name.
        self._mixed_policy = policy if policy.is_mixed else None

    @property
    def dtype(self):
        """The dtype of the layer's variables (Keras' `Layer.dtype`; float32 under 'mixed_float16')."""
        return self._variable_dtype

    @dtype.setter
    def dtype(self, dtype):
        # Setting a dtype name makes it the layer's only dtype: variables and computations alike.
        self._variable_dtype = self.compute_dtype = dtypes.standardize_dtype(dtype, f"layer '{self.name}'")
        self._mixed_policy = None

    @property
    def dtype_policy(self):
        """The layer's DTypePolicy (Keras'): its compute and variable dtypes."""
        return self._mixed_policy or DTypePolicy(self.dtype)

    @property
    def variable_dtype(self):
        """The dtype of the layer's variables (float32 under 'mixed_float16')."""
        return self.dtype

    def _dtype_config(self):
        """The `dtype` a config holds: the mixed policy's name ('mixed_float16'), else the dtype's."""
        return self._mixed_policy.name if self._mixed_policy is not None else self.dtype

    # ---- the input cast (Keras' autocast of a call's inputs) ----

    def _to_tensor(self, x):
        if isinstance(x, Tensor):
            value = x.value
            # dtype != name compares in C; str(dtype) would run Python code inside NumPy.
            if value.dtype.kind == "f" and value.dtype != self.compute_dtype:
                return _cast_op(x, dtype=self.compute_dtype)  # an op: gradients flow back through the cast
            return x
        if x is None or isinstance(x, (str, bool)):
            return x
        value = backend.xp.asarray(x)
        # Layers compute in their compute dtype: float64 NumPy data is cast to float32 (float16 under
        # 'mixed_float16'), as Keras autocasts. (The cast is an op so that a traced training step
        # replays it on every batch.)
        if value.dtype.kind == "f" and value.dtype != self.compute_dtype:
            return _cast_op(value, dtype=self.compute_dtype)
        return Tensor(value)

    def _eager_call_on_probes(self, inputs, *args, **kwargs):
        """`_eager_call` after the input cast of `__call__`, so placeholders get the dtype a real call gives."""
        inputs = nest.map_structure(self._to_tensor, inputs) if isinstance(inputs, (list, tuple, dict)) \
            else self._to_tensor(inputs)
        return self._eager_call(inputs, *args, **kwargs)
