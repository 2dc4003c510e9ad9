"""Keras' `keras.mixed_precision` names: the dtype policy under its legacy names, and `LossScaleOptimizer`.

`set_global_policy("mixed_float16")` puts mixed precision in force, as in Keras: layers keep
float32 variables, compute in float16 (inputs cast on the way in, variables read as float16 inside
the call), and `compile` wraps the optimizer in a LossScaleOptimizer; a layer built with
`dtype="float32"` (the usual final softmax) computes in float32. 'mixed_bfloat16' can be built and
inspected but not put in force: NumPy and CuPy have no bfloat16 dtype. On NumPy, float16 matmuls
have no BLAS and run slower than float32: mixed precision pays on a GPU, not on the CPU.

    import neuroflow
    from neuroflow import layers, mixed_precision
    mixed_precision.set_global_policy("mixed_float16")
    model = neuroflow.Sequential([layers.Input((784,)), layers.Dense(512, activation="relu"),
                                  layers.Dense(10), layers.Activation("softmax", dtype="float32")])

A namespace only: it sits above the optimizers, whose LossScaleOptimizer it re-exports, and
nothing imports it.
"""
from neuroflow.dtype_policies.dtype_policy import DTypePolicy, dtype_policy, set_dtype_policy
from neuroflow.optimizers.loss_scale_optimizer import LossScaleOptimizer

Policy = DTypePolicy
global_policy = dtype_policy
set_global_policy = set_dtype_policy

__all__ = ["DTypePolicy", "LossScaleOptimizer", "Policy", "dtype_policy", "global_policy", "set_dtype_policy",
           "set_global_policy"]
