"""Requests and responses of the Open Inference Protocol (KServe v2): the model's tensors,
strict parsing of an inference request (every problem a 400 that names it), and Triton's
binary tensor data extension both ways (the bodies themselves: ml/v2_bodies.py).

The binary extension (as `tritonclient` uses it by default): the body is the JSON inference
header, `Inference-Header-Content-Length` bytes long, followed by the raw tensors in input
order; an input sent this way has `parameters.binary_data_size` and no `data`. FP32 is
little-endian row-major; BYTES elements are each a 4-byte little-endian length and the
bytes. Outputs are returned the same way when asked (`binary_data_output` on the request,
`binary_data` on an output).
"""

import math
import re
import struct
from dataclasses import dataclass
from itertools import chain

import numpy as np
import orjson
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ml.dataset import FEATURES, SPECIES
from ml.inputs import measurement
from ml.models import MEASUREMENT_MAX_CM, MEASUREMENT_MIN_CM
from ml.v2_bodies import BINARY_HEADER, invalid

SERVER_NAME = "flower-power"
MODEL_NAME = "iris"
# The protocol's "<project>_<format>" naming: a TensorFlow Lite (LiteRT) flatbuffer.
PLATFORM = "tensorflow_tflite"
INPUT = {"name": "input", "datatype": "FP32", "shape": [-1, len(FEATURES)]}
OUTPUTS = {
    "probabilities": {"name": "probabilities", "datatype": "FP32", "shape": [-1, len(SPECIES)]},
    "species": {"name": "species", "datatype": "BYTES", "shape": [-1]},
}
# Triton's names for what this server implements beyond the core protocol.
EXTENSIONS = ["binary_tensor_data"]
# Parameters for tensor data in shared memory: refused, this server has none.
SHARED_MEMORY_PARAMETERS = (
    "shared_memory_region", "shared_memory_byte_size", "shared_memory_offset",
)
# At most 9 digits: the version column is a 32-bit integer in PostgreSQL.
VERSION_PATTERN = re.compile(r"[0-9]{1,9}")
_ABSENT = object()
# Named in error messages only: translated when one is written, not on every request.
_THE_REQUEST = gettext_lazy("The inference request")


def _json_object(value, what: str, allowed: set[str], required: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        raise invalid(_("%(what)s must be a JSON object.") % {"what": what})
    extra = sorted(set(value) - allowed)
    if extra:
        raise invalid(_("%(what)s has unknown fields: %(names)s.") % {
            "what": what, "names": ", ".join(extra)})
    missing = [name for name in required if name not in value]
    if missing:
        raise invalid(_("%(what)s is missing %(names)s.") % {
            "what": what, "names": ", ".join(missing)})
    return value


def _parameters(value, what: str, *, booleans=(), counts=()) -> dict:
    """The protocol's `$parameters`: values are strings, numbers or booleans; the ones this
    server reads are typed (`booleans`, non-negative integer `counts`)."""
    if value is _ABSENT:
        return {}
    if not isinstance(value, dict):  # null too: the spec's $parameters is an object
        raise invalid(_("%(what)s parameters must be a JSON object.") % {"what": what})
    for name, item in value.items():
        if not isinstance(item, str | int | float) or (
            isinstance(item, float) and not math.isfinite(item)
        ):
            raise invalid(_("%(what)s parameter %(name)s must be a string, a number or a "
                            "boolean.") % {"what": what, "name": name})
        if name in booleans and not isinstance(item, bool):
            raise invalid(_("%(what)s parameter %(name)s must be true or false.") % {
                "what": what, "name": name})
        if name in counts and (isinstance(item, bool) or not isinstance(item, int) or item < 0):
            raise invalid(_("%(what)s parameter %(name)s must be a whole number of bytes.") % {
                "what": what, "name": name})
    shared = [name for name in SHARED_MEMORY_PARAMETERS if name in value]
    if shared:
        raise invalid(
            _("%(what)s: %(names)s: shared-memory tensors are not supported; send the data "
              "as JSON or as binary tensor data.") % {"what": what, "names": ", ".join(shared)}
        )
    if "classification" in value:
        raise invalid(_("%(what)s: the classification extension is not supported.") % {
            "what": what})
    return value


def _check_values(values: np.ndarray) -> None:
    # Vectorised; measurement() words the first problem exactly as for JSON data.
    ok = np.isfinite(values) & (values >= MEASUREMENT_MIN_CM) & (values <= MEASUREMENT_MAX_CM)
    bad = np.flatnonzero(~ok.ravel())
    if bad.size:
        i, width = int(bad[0]), len(FEATURES)
        measurement(float(values.ravel()[i]), f"input[{i // width}].{FEATURES[i % width]}")


def _features(tensor: dict, binary: memoryview, offset: int) -> tuple[np.ndarray, int]:
    """The (n, 4) float32 rows of the "input" tensor and the binary offset after it."""
    parameters = _parameters(
        tensor.get("parameters", _ABSENT), "input", counts=("binary_data_size",)
    )
    if tensor["datatype"] != INPUT["datatype"]:
        raise invalid(_("input has datatype %(got)r; expected 'FP32'.") % {
            "got": tensor["datatype"]})
    shape, width = tensor["shape"], len(FEATURES)
    if not (
        isinstance(shape, list) and len(shape) == 2
        and all(type(d) is int for d in shape) and shape[0] >= 1 and shape[1] == width
    ):
        raise invalid(
            _("input has shape %(got)s; expected [n, 4] with n at least 1, one row per "
              "flower: %(features)s.") % {"got": orjson.dumps(shape).decode()[:100],
                                          "features": ", ".join(FEATURES)}
        )
    rows, limit = shape[0], settings.ML_PREDICT_MAX_ROWS
    if rows > limit:
        raise invalid(_("At most %(limit)d rows per request, not %(n)d.") % {
            "limit": limit, "n": rows})
    if "binary_data_size" in parameters:
        if "data" in tensor:
            raise invalid(_("input has both data and binary_data_size; send one."))
        size, need = parameters["binary_data_size"], rows * width * 4
        if size != need:
            raise invalid(_("input binary_data_size is %(got)d; FP32 shape %(shape)s needs "
                            "%(need)d bytes.") % {
                "got": size, "shape": orjson.dumps(shape).decode(), "need": need})
        if offset + size > len(binary):
            raise invalid(_("The binary tensor data holds %(got)d bytes; input needs %(need)d.")
                          % {"got": len(binary) - offset, "need": size})
        values = np.frombuffer(binary[offset:offset + size], dtype="<f4").reshape(rows, width)
        _check_values(values)
        return values.astype(np.float32), offset + size
    if "data" not in tensor:
        raise invalid(_("inputs[0] is missing data."))
    data = tensor["data"]
    if not isinstance(data, list):
        raise invalid(_("input data must be a list of numbers."))
    if data and isinstance(data[0], list):
        # The "natural" nested form [[...4 numbers...], ...]: exactly the declared shape.
        if len(data) != rows or set(map(type, data)) != {list} or set(map(len, data)) != {width}:
            raise invalid(_("input data is nested but not %(rows)d rows of 4 numbers.") % {
                "rows": rows})
        data = list(chain.from_iterable(data))
    if len(data) != rows * width:
        raise invalid(
            _("input shape %(shape)s needs %(need)d values, but data holds %(got)d.")
            % {"shape": orjson.dumps(shape).decode(), "need": rows * width, "got": len(data)}
        )
    array = _numbers_fast(data)
    if array is None:
        # measurement() explains what the fast path refused (a bool, NaN, a string...).
        array = [
            measurement(value, f"input[{i // width}].{FEATURES[i % width]}")
            for i, value in enumerate(data)
        ]
    return np.asarray(array, dtype=np.float32).reshape(rows, width), offset


# Up to this many values, checking them one by one in Python beats numpy's set-up (a one-row
# request: ~8 us of its ~300 us on the lean path).
_FEW_VALUES = 32


def _numbers_fast(data: list) -> np.ndarray | list | None:
    """The values (float64 array, or the list itself when short) if every one is a number in
    range, checked in C or, for a few, in Python; else None."""
    if not set(map(type, data)) <= {float, int}:
        return None
    if len(data) <= _FEW_VALUES:  # NaN fails both comparisons; a huge integer the second
        ok = all(MEASUREMENT_MIN_CM <= value <= MEASUREMENT_MAX_CM for value in data)
        return data if ok else None
    with np.errstate(all="ignore"):
        try:
            values = np.array(data, dtype=np.float64)
        except OverflowError:  # an integer too large for a float
            return None
    if not ((values >= MEASUREMENT_MIN_CM) & (values <= MEASUREMENT_MAX_CM)).all():
        return None
    return values


@dataclass(frozen=True)
class InferRequest:
    rows: np.ndarray
    # (output name, as binary tensor data?) in the order asked for.
    outputs: list[tuple[str, bool]]
    request_id: str | None


def _requested_outputs(requested, binary_default: bool) -> list[tuple[str, bool]]:
    if requested is _ABSENT or requested == []:
        return [(name, binary_default) for name in OUTPUTS]
    if not isinstance(requested, list):
        raise invalid(_("outputs must be a list of {\"name\": ...} objects."))
    names: list[tuple[str, bool]] = []
    for i, item in enumerate(requested):
        _json_object(item, f"outputs[{i}]", {"name", "parameters"}, ("name",))
        parameters = _parameters(
            item.get("parameters", _ABSENT), f"outputs[{i}]", booleans=("binary_data",)
        )
        name = item["name"]
        if not isinstance(name, str) or name not in OUTPUTS:
            raise invalid(_("Unknown output %(name)r; the model produces %(outputs)s.") % {
                "name": name, "outputs": ", ".join(OUTPUTS)})
        if name in (seen for seen, _binary in names):
            raise invalid(_("Output %(name)r is requested twice.") % {"name": name})
        names.append((name, parameters.get("binary_data", binary_default)))
    return names


def infer_request_parse(payload, binary: bytes = b"") -> InferRequest:
    """Rows, requested outputs and request id of a v2 inference request."""
    _json_object(payload, _THE_REQUEST,
                 {"id", "parameters", "inputs", "outputs"}, ("inputs",))
    request_id = payload.get("id", _ABSENT)
    if request_id is _ABSENT:
        request_id = None
    elif not isinstance(request_id, str):
        raise invalid(_("id must be a string."))
    parameters = _parameters(
        payload.get("parameters", _ABSENT), _THE_REQUEST,
        booleans=("binary_data_output",),
    )
    inputs = payload["inputs"]
    if not isinstance(inputs, list) or not inputs:
        raise invalid(_("inputs must be a non-empty list holding the tensor 'input'."))
    for i, tensor in enumerate(inputs):
        _json_object(tensor, f"inputs[{i}]", {"name", "shape", "datatype", "data", "parameters"},
                     ("name", "shape", "datatype"))
        if tensor["name"] != INPUT["name"]:
            raise invalid(_("Unknown input %(name)r; the model takes one input, 'input' "
                             "(FP32, shape [-1, 4]).") % {"name": tensor["name"]})
    if len(inputs) > 1:
        raise invalid(_("The input 'input' is given %(n)d times.") % {"n": len(inputs)})
    rows, used = _features(inputs[0], memoryview(binary), 0)
    if used != len(binary):
        raise invalid(_("The binary tensor data has %(n)d bytes no input claims.") % {
            "n": len(binary) - used})
    outputs = _requested_outputs(
        payload.get("outputs", _ABSENT), parameters.get("binary_data_output", False)
    )
    return InferRequest(rows=rows, outputs=outputs, request_id=request_id)


def infer_response(
    *, probabilities: np.ndarray, request: InferRequest, version: int
) -> tuple[bytes, str, dict[str, str]]:
    """The response's body, content type and headers: JSON, or the JSON header then the binary
    tensors, with the header's length in Inference-Header-Content-Length."""
    outputs, blobs = [], []
    for name, binary in request.outputs:
        if name == "probabilities":
            shape = list(probabilities.shape)
            blob = np.ascontiguousarray(probabilities, dtype="<f4").tobytes() if binary else None
            # As float64, orjson writes the same digits as for Python floats, without them.
            data = None if binary else probabilities.astype(np.float64).ravel()
        else:
            shape = [len(probabilities)]
            species = [SPECIES[b] for b in probabilities.argmax(axis=1).tolist()]
            blob = b"".join(
                struct.pack("<I", len(s)) + s for s in (x.encode() for x in species)
            ) if binary else None
            data = None if binary else species
        tensor = {**OUTPUTS[name], "shape": shape}
        if binary:
            tensor["parameters"] = {"binary_data_size": len(blob)}
            blobs.append(blob)
        else:
            tensor["data"] = data
        outputs.append(tensor)
    body = {"model_name": MODEL_NAME, "model_version": str(version)}
    if request.request_id is not None:
        body["id"] = request.request_id
    body["outputs"] = outputs
    header = orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY)
    if not blobs:
        return header, "application/json", {}
    return (header + b"".join(blobs), "application/octet-stream",
            {BINARY_HEADER: str(len(header))})
