"""Custom MLServer runtime: the iris MLP as a LiteRT flatbuffer.

load()    builds an ai_edge_litert Interpreter (1 thread) from parameters.uri.
predict() takes the first input as FP32 [N, 4] (any name; model-settings declares "input"),
          runs the N rows in one invoke() and returns one output
          `probabilities` FP32 [N, 3]: the model's output, passed through a softmax unless
          model-settings sets parameters.extra.apply_softmax to false (for a model that
          already ends in a softmax).
Bad input (wrong shape/size, no inputs) -> InferenceError -> HTTP 400.

The model is tiny (2.6 KB, ~200 FLOPs/row); everything here runs synchronously inside the
async predict(), i.e. on the event loop of whichever process serves inference (the main
MLServer process with parallel_workers=0, the inference worker process with parallel_workers>=1).
Because nothing awaits in between, one interpreter is never used by two requests at once.
"""
import numpy as np
from ai_edge_litert.interpreter import Interpreter
from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.errors import InferenceError
from mlserver.types import InferenceRequest, InferenceResponse
from mlserver.utils import get_model_uri


class LiteRTIrisModel(MLModel):
    async def load(self) -> bool:
        path = await get_model_uri(
            self.settings, wellknown_filenames=["iris.tflite", "model.tflite"]
        )
        self._interp = Interpreter(model_path=path, num_threads=1)
        self._in = self._interp.get_input_details()[0]["index"]
        self._out = self._interp.get_output_details()[0]["index"]
        self._rows = None
        extra = (self.settings.parameters.extra or {}) if self.settings.parameters else {}
        self._softmax = bool(extra.get("apply_softmax", True))
        self._resize(1)
        # One warm-up invoke so the first request does not pay for delegate setup.
        self._interp.set_tensor(self._in, np.zeros((1, 4), dtype=np.float32))
        self._interp.invoke()
        return True

    def _resize(self, rows: int) -> None:
        if rows != self._rows:
            self._interp.resize_tensor_input(self._in, [rows, 4])
            self._interp.allocate_tensors()
            self._rows = rows

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        if not payload.inputs:
            raise InferenceError("expected one input: FP32 [N, 4]")
        try:
            x = NumpyCodec.decode_input(payload.inputs[0])
        except Exception as e:  # wrong element count for the declared shape, bad data
            raise InferenceError(f"cannot decode input: {e}") from e
        if x.ndim == 1 and x.shape[0] == 4:
            x = x.reshape(1, 4)
        if x.ndim != 2 or x.shape[1] != 4 or x.shape[0] < 1:
            raise InferenceError(f"expected shape [N, 4], got {list(x.shape)}")
        x = np.ascontiguousarray(x, dtype=np.float32)

        self._resize(x.shape[0])
        self._interp.set_tensor(self._in, x)
        self._interp.invoke()
        out = self._interp.get_tensor(self._out)
        if self._softmax:
            e = np.exp(out - out.max(axis=1, keepdims=True))
            out = e / e.sum(axis=1, keepdims=True)
        probs = np.ascontiguousarray(out, dtype=np.float32)

        return InferenceResponse(
            model_name=self.name,
            model_version=self.version,
            id=payload.id,
            outputs=[NumpyCodec.encode_output(name="probabilities", payload=probs)],
        )
