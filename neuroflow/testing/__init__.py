"""Helpers for testing neuroflow code: float64 finite-difference gradient checks of ops and layers."""
from neuroflow.testing.gradient_check import check_gradients, check_layer_gradients, numeric_gradient

__all__ = ["check_gradients", "check_layer_gradients", "numeric_gradient"]
