"""Callbacks: hooks into `fit`, `evaluate` and `predict`, with Keras' names and behaviour."""
from neuroflow.callbacks.callback import Callback
from neuroflow.callbacks.callback_list import CallbackList
from neuroflow.callbacks.csv_logger import CSVLogger
from neuroflow.callbacks.early_stopping import EarlyStopping
from neuroflow.callbacks.history import History
from neuroflow.callbacks.lambda_callback import LambdaCallback
from neuroflow.callbacks.lr_scheduler import LearningRateScheduler
from neuroflow.callbacks.model_checkpoint import ModelCheckpoint
from neuroflow.callbacks.monitor_callback import MonitorCallback
from neuroflow.callbacks.progbar_logger import ProgbarLogger
from neuroflow.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from neuroflow.callbacks.remote_monitor import RemoteMonitor
from neuroflow.callbacks.swap_ema_weights import SwapEMAWeights
from neuroflow.callbacks.tensorboard import TensorBoard
from neuroflow.callbacks.terminate_on_nan import TerminateOnNaN
from neuroflow.utils.progbar import Progbar

# isort: split
# Resuming an interrupted fit (issue 14).
from neuroflow.callbacks.backup_and_restore import BackupAndRestore

__all__ = [
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "MonitorCallback",
    "Progbar",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
]
__all__ += ["RemoteMonitor", "SwapEMAWeights"]  # metrics10 (issue 10)
__all__ += ["TensorBoard"]  # misc11 (issue 10)
__all__ += ["BackupAndRestore"]  # robust14 (issue 14)
