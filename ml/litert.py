"""Serving a trained classifier with the LiteRT runtime only.

Web code paths import this module, so it must never import TensorFlow (STYLE.md
point 5): `ai_edge_litert` is a standalone runtime that loads in ~0.1 s instead of
several seconds.
"""

import threading

import numpy as np
import numpy.typing as npt
from ai_edge_litert.interpreter import Interpreter

FEATURE_COUNT = 4
CLASS_COUNT = 3
# Larger batches run in pieces of this many rows. An interpreter keeps its tensors sized
# for the last batch it ran, and every request thread has its own: one 10,000-row request
# per thread left each holding ~10x this arena (a web worker grew from ~130 to 160-190 MB
# in bench_serving.py). Pieces cost little: 10,000 rows took 0.32-0.34 ms in pieces against
# 0.32 ms whole (in process, best of 5 x 200), of a 7-8 ms request.
MAX_TENSOR_ROWS = 1024


class _Runner:
    """One interpreter and the batch size its tensors are currently allocated for."""

    def __init__(self, model: bytes) -> None:
        self.interpreter = Interpreter(model_content=model)
        inputs = self.interpreter.get_input_details()
        outputs = self.interpreter.get_output_details()
        if len(inputs) != 1 or len(outputs) != 1:
            raise ValueError("the model must have exactly one input and one output")
        _check_tensor("input", inputs[0], FEATURE_COUNT)
        _check_tensor("output", outputs[0], CLASS_COUNT)
        self.input_index = inputs[0]["index"]
        self.output_index = outputs[0]["index"]
        self.rows = int(inputs[0]["shape"][0])
        self.interpreter.allocate_tensors()

    def run(self, features: np.ndarray) -> np.ndarray:
        rows = len(features)
        if rows <= MAX_TENSOR_ROWS:
            return self._invoke(features)
        probabilities = np.empty((rows, CLASS_COUNT), dtype=np.float32)
        for start in range(0, rows, MAX_TENSOR_ROWS):
            piece = features[start:start + MAX_TENSOR_ROWS]
            if len(piece) < MAX_TENSOR_ROWS:  # the last: padded, so no reallocation
                piece = np.concatenate(
                    (piece, np.zeros((MAX_TENSOR_ROWS - len(piece), FEATURE_COUNT), np.float32)))
            probabilities[start:start + MAX_TENSOR_ROWS] = self._invoke(piece)[:rows - start]
        return probabilities

    def _invoke(self, features: np.ndarray) -> np.ndarray:
        rows = len(features)
        if rows != self.rows:
            # Reallocating costs far more than an invoke for small batches, so it
            # happens only when the batch size changes.
            self.interpreter.resize_tensor_input(self.input_index, [rows, FEATURE_COUNT])
            self.interpreter.allocate_tensors()
            self.rows = rows
        self.interpreter.set_tensor(self.input_index, features)
        self.interpreter.invoke()
        # get_tensor returns a copy, so the result survives the next call.
        return self.interpreter.get_tensor(self.output_index)


class LiteRTClassifier:
    """Species probabilities from a LiteRT flatbuffer made by `ml.trainer`.

    Thread-safe: an interpreter must not be used by two threads at once, so each
    thread gets its own, created on its first call. Measured against one
    interpreter behind a lock (bench/bench_ml.py), this is as fast for one-row calls
    and up to about twice as fast for large batches on two cores, because `invoke`
    releases the GIL; it also keeps a large batch from stalling small requests.
    """

    def __init__(self, tflite_bytes: bytes) -> None:
        self._model = bytes(tflite_bytes)
        self._local = threading.local()
        # Built eagerly so that a bad model fails here rather than on first use.
        self._local.runner = _Runner(self._model)

    def predict_proba(self, x: npt.ArrayLike) -> np.ndarray:
        """Return an (n, 3) float32 array of probabilities for an (n, 4) array of features."""
        features = np.ascontiguousarray(x, dtype=np.float32)
        if features.ndim != 2 or features.shape[1] != FEATURE_COUNT:
            raise ValueError(f"features must have shape (n, {FEATURE_COUNT}), got {features.shape}")
        if len(features) == 0:
            return np.empty((0, CLASS_COUNT), dtype=np.float32)
        runner = getattr(self._local, "runner", None)
        if runner is None:
            runner = self._local.runner = _Runner(self._model)
        return runner.run(features)


def _check_tensor(role: str, details: dict, width: int) -> None:
    signature = [int(size) for size in details["shape_signature"]]
    if np.dtype(details["dtype"]) != np.float32 or signature != [-1, width]:
        raise ValueError(
            f"the model's {role} must be float32 of shape [None, {width}], "
            f"got {details['dtype']} of shape {signature}"
        )
