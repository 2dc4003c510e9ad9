"""Records keras.config's defaults and keras.dtype_policies' answers, for tests/test_config.py and
tests/dtype_policies/.

Run from the repository root with the Keras venv (the test suite itself never imports Keras):

    KERAS_BACKEND=torch path/to/kerasvenv/bin/python tests/config_fixtures/make_config_fixtures.py

It writes tests/config_fixtures/keras_config.json.
"""
import json
import os

import keras

HERE = os.path.dirname(os.path.abspath(__file__))
POLICIES = ["float32", "float64", "float16", "mixed_float16", "mixed_bfloat16"]


def main():
    config = keras.config
    defaults = {
        "floatx": config.floatx(),
        "epsilon": config.epsilon(),
        "image_data_format": config.image_data_format(),
        "is_traceback_filtering_enabled": config.is_traceback_filtering_enabled(),
        "is_interactive_logging_enabled": config.is_interactive_logging_enabled(),
        "is_flash_attention_enabled": config.is_flash_attention_enabled(),
        "is_nnx_enabled": config.is_nnx_enabled(),
        "max_epochs": config.max_epochs(),
        "max_steps_per_epoch": config.max_steps_per_epoch(),
        "dtype_policy": repr(config.dtype_policy()),
    }
    policies = {}
    for name in POLICIES:
        policy = keras.DTypePolicy(name)
        policies[name] = {"name": policy.name, "compute_dtype": policy.compute_dtype,
                          "variable_dtype": policy.variable_dtype, "repr": repr(policy),
                          "config": policy.get_config(), "serialized": keras.dtype_policies.serialize(policy)}
    policy_map = keras.dtype_policies.DTypePolicyMap("float32")
    policy_map["dense.*"] = "float64"
    results = {"names": sorted(n for n in dir(config) if not n.startswith("_")), "defaults": defaults,
               "policies": policies,
               "policy_map": {"name": policy_map.name, "dense_1": policy_map["dense_1"].name,
                              "other": policy_map["conv"].name, "len": len(policy_map)}}
    with open(os.path.join(HERE, "keras_config.json"), "w") as file:
        json.dump(results, file, indent=1, sort_keys=True)
    print("wrote keras_config.json")


if __name__ == "__main__":
    main()
