"""Keras' `keras.mixed_precision` names: the dtype policy under its legacy names.

Mixed policies can be built and inspected; putting one in force raises NotImplementedError, as
neuroflow computes in one dtype on NumPy (mixed precision is GPU work: issue 16). A namespace only:
it sits above the optimizers, whose LossScaleOptimizer it re-exports, and nothing imports it.
"""
from neuroflow.dtype_policies.dtype_policy import DTypePolicy, dtype_policy, set_dtype_policy
from neuroflow.optimizers.loss_scale_optimizer import LossScaleOptimizer

Policy = DTypePolicy
global_policy = dtype_policy
set_global_policy = set_dtype_policy

__all__ = ["DTypePolicy", "LossScaleOptimizer", "Policy", "dtype_policy", "global_policy", "set_dtype_policy",
           "set_global_policy"]
