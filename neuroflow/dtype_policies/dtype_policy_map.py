"""`DTypePolicyMap`: dtype policies by layer path (regular expressions), with a default (Keras')."""
import re

from neuroflow.dtype_policies.dtype_policy import DTypePolicy, FloatDTypePolicy, dtype_policy


def _as_policy(identifier):
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    if isinstance(identifier, dict) and identifier.get("class_name") in ("DTypePolicy", "FloatDTypePolicy"):
        return {"DTypePolicy": DTypePolicy, "FloatDTypePolicy": FloatDTypePolicy}[identifier["class_name"]](
            **identifier.get("config", {}))
    raise ValueError(f"Cannot interpret `dtype` argument. Expected a string or an instance of DTypePolicy. "
                     f"Received: dtype={identifier!r}")


class DTypePolicyMap(DTypePolicy):
    """A mapping from layer paths to DTypePolicies; a path no key matches gets `default_policy`.

    Keys are exact paths or regular expressions matched against the whole path.

    Args:
        default_policy: the policy for unmatched paths (None: the global policy).
        policy_map: an optional dict {path or pattern: policy}.
    """

    def __init__(self, default_policy=None, policy_map=None):
        if isinstance(default_policy, DTypePolicyMap):
            raise ValueError("`default_policy` cannot be a `DTypePolicyMap`.")
        if policy_map is not None and not isinstance(policy_map, dict):
            raise TypeError(f"If specified, `policy_map` must be a dict. Received: policy_map={policy_map!r} of type "
                            f"{type(policy_map)}")
        self._default_policy_arg = default_policy
        self._default_policy = _as_policy(default_policy)
        self._policy_map = {key: _as_policy(policy) for key, policy in (policy_map or {}).items()}
        self._quantization_mode = None

    @property
    def name(self):
        return f"map_{self._default_policy.name}"

    @property
    def default_policy(self):
        return self._default_policy

    @property
    def variable_dtype(self):
        return self._default_policy.variable_dtype

    @property
    def compute_dtype(self):
        return self._default_policy.compute_dtype

    @property
    def is_mixed(self):
        return self._default_policy.is_mixed

    def __getitem__(self, key):
        """The policy of path `key`: an exact key, else the one pattern matching it, else the default.

        Raises:
            ValueError: when several patterns match.
        """
        if key in self._policy_map:
            return self._policy_map[key]
        matches = [pattern for pattern in self._policy_map if re.fullmatch(pattern, key)]
        if len(matches) > 1:
            raise ValueError(f"Path '{key}' matches multiple dtype policy specification keys: {matches}. Please make "
                             "sure each path only matches at most one dtype policy specification key in the "
                             "DTypePolicyMap.")
        return self._policy_map[matches[0]] if matches else self._default_policy

    def __setitem__(self, key, policy):
        if key in self._policy_map:
            raise ValueError(f"{key} already exist in the DTypePolicyMap with value {self._policy_map[key]}. Please "
                             "make sure to not use duplicated keys.")
        self._policy_map[key] = _as_policy(policy)

    def __delitem__(self, key):
        return self._policy_map.pop(key)

    def __contains__(self, key):
        return key in self._policy_map

    def __len__(self):
        return len(self._policy_map)

    def __iter__(self):
        return iter(self._policy_map)

    def get_config(self):
        serialized = {key: {"module": "keras", "class_name": type(policy).__name__, "config": policy.get_config(),
                            "registered_name": None} for key, policy in self._policy_map.items()}
        return {"default_policy": self._default_policy_arg, "policy_map": serialized}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)

    def __eq__(self, other):
        return isinstance(other, DTypePolicyMap) and self.get_config() == other.get_config()

    def __hash__(self):
        return id(self)

    def __repr__(self):
        mapping = [(key, policy.name) for key, policy in self._policy_map.items()]
        return f"<DTypePolicyMap at {hex(id(self))} default_policy={self._default_policy.name}, mapping={mapping}>"
