"""DTypePolicyMap: policies by layer path, against Keras' recorded answers."""
import json
import os

import pytest

from neuroflow import dtype_policies
from neuroflow.dtype_policies import DTypePolicy, DTypePolicyMap

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "..", "config_fixtures", "keras_config.json")) as _file:
    KERAS = json.load(_file)["policy_map"]


def test_lookup_matches_keras():
    policy_map = DTypePolicyMap("float32")
    policy_map["dense.*"] = "float64"
    assert policy_map.name == KERAS["name"]
    assert policy_map["dense_1"].name == KERAS["dense_1"]
    assert policy_map["conv"].name == KERAS["other"]
    assert len(policy_map) == KERAS["len"]
    assert policy_map.compute_dtype == policy_map.variable_dtype == "float32"


def test_exact_key_and_ambiguous_patterns():
    policy_map = DTypePolicyMap(policy_map={"a/b": "float64", "a/.*": "float16", ".*/b": "float32"})
    assert policy_map["a/b"].name == "float64"
    assert policy_map["a/c"].name == "float16"
    with pytest.raises(ValueError, match="matches multiple"):
        DTypePolicyMap(policy_map={"a.*": "float64", ".*b": "float16"})["ab"]


def test_errors_and_mapping_protocol():
    with pytest.raises(ValueError, match="cannot be a `DTypePolicyMap`"):
        DTypePolicyMap(DTypePolicyMap())
    with pytest.raises(TypeError, match="must be a dict"):
        DTypePolicyMap(policy_map=[1])
    policy_map = DTypePolicyMap()
    policy_map["x"] = DTypePolicy("float64")
    with pytest.raises(ValueError, match="already exist"):
        policy_map["x"] = "float16"
    assert "x" in policy_map and list(policy_map) == ["x"]
    del policy_map["x"]
    assert len(policy_map) == 0


def test_config_round_trip():
    policy_map = DTypePolicyMap("float64", {"dense": "float16"})
    restored = dtype_policies.get(dtype_policies.serialize(policy_map))
    assert isinstance(restored, DTypePolicyMap) and restored == policy_map
    assert restored["dense"].name == "float16" and restored["other"].name == "float64"
