"""The autodiff core: tensors, the op registry, the tape and the reverse walk."""
from neuroflow.engine.registry import Op, get_op, registered_ops
from neuroflow.engine.tape import GradientTape, no_grad, stop_gradient_recording
from neuroflow.engine.tensor import Tensor, Variable
