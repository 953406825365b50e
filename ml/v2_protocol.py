"""Requests of the Open Inference Protocol (KServe v2): the model's tensors, and strict
parsing of an inference request's JSON (every problem a 400 that names it)."""

import re

import numpy as np
import orjson
from django.conf import settings
from django.utils.translation import gettext as _

from flower_power.errors import ApplicationError
from ml.dataset import FEATURES, SPECIES
from ml.inputs import measurement
from ml.models import MEASUREMENT_MAX_CM

SERVER_NAME = "flower-power"
MODEL_NAME = "iris"
# The protocol's "<project>_<format>" naming: a TensorFlow Lite (LiteRT) flatbuffer.
PLATFORM = "tensorflow_tflite"
INPUT = {"name": "input", "datatype": "FP32", "shape": [-1, len(FEATURES)]}
OUTPUTS = {
    "probabilities": {"name": "probabilities", "datatype": "FP32", "shape": [-1, len(SPECIES)]},
    "species": {"name": "species", "datatype": "BYTES", "shape": [-1]},
}
# Parameters that ask for tensor data outside the JSON body.
OUT_OF_BAND_PARAMETERS = (
    "binary_data_size", "shared_memory_region", "shared_memory_byte_size", "shared_memory_offset",
)
# At most 9 digits: the version column is a 32-bit integer in PostgreSQL.
VERSION_PATTERN = re.compile(r"[0-9]{1,9}")


def invalid(message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid")


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


def _check_parameters(value, what: str) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise invalid(_("%(what)s parameters must be a JSON object.") % {"what": what})
    out_of_band = [name for name in OUT_OF_BAND_PARAMETERS if name in value]
    if out_of_band:
        raise invalid(
            _("%(what)s: %(names)s: only JSON tensor data is supported, not binary or "
              "shared-memory data; send the tensor as JSON (binary_data=False).")
            % {"what": what, "names": ", ".join(out_of_band)}
        )
    if "classification" in value:
        raise invalid(_("%(what)s: the classification extension is not supported.") % {
            "what": what})


def _features(tensor: dict) -> np.ndarray:
    """The (n, 4) float32 rows of the "input" tensor; every value checked like /predict/."""
    _check_parameters(tensor.get("parameters"), "input")
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
    data = tensor["data"]
    if not isinstance(data, list):
        raise invalid(_("input data must be a list of numbers."))
    if data and isinstance(data[0], list):
        # The "natural" nested form [[...4 numbers...], ...]: exactly the declared shape.
        if len(data) != rows or not all(isinstance(r, list) and len(r) == width for r in data):
            raise invalid(_("input data is nested but not %(rows)d rows of 4 numbers.") % {
                "rows": rows})
        data = [value for row in data for value in row]
    if len(data) != rows * width:
        raise invalid(
            _("input shape %(shape)s needs %(need)d values, but data holds %(got)d.")
            % {"shape": orjson.dumps(shape).decode(), "need": rows * width, "got": len(data)}
        )
    values = []
    for i, value in enumerate(data):
        # Fast path for the common case; measurement() explains anything else (bool, NaN, ...).
        if type(value) in (float, int) and 0 < value <= MEASUREMENT_MAX_CM:
            values.append(value)
        else:
            values.append(measurement(value, f"input[{i // width}].{FEATURES[i % width]}"))
    return np.asarray(values, dtype=np.float32).reshape(rows, width)


def _requested_outputs(requested) -> list[str]:
    if requested is None or requested == []:
        return list(OUTPUTS)
    if not isinstance(requested, list):
        raise invalid(_("outputs must be a list of {\"name\": ...} objects."))
    names: list[str] = []
    for i, item in enumerate(requested):
        _json_object(item, f"outputs[{i}]", {"name", "parameters"}, ("name",))
        _check_parameters(item.get("parameters"), f"outputs[{i}]")
        name = item["name"]
        if not isinstance(name, str) or name not in OUTPUTS:
            raise invalid(_("Unknown output %(name)r; the model produces %(outputs)s.") % {
                "name": name, "outputs": ", ".join(OUTPUTS)})
        if name in names:
            raise invalid(_("Output %(name)r is requested twice.") % {"name": name})
        names.append(name)
    return names


def infer_request_parse(payload) -> tuple[np.ndarray, list[str], str | None]:
    """Rows, requested output names and request id of a v2 inference request."""
    _json_object(payload, _("The inference request"),
                 {"id", "parameters", "inputs", "outputs"}, ("inputs",))
    request_id = payload.get("id")
    if request_id is not None and not isinstance(request_id, str):
        raise invalid(_("id must be a string."))
    _check_parameters(payload.get("parameters"), _("The inference request"))
    inputs = payload["inputs"]
    if not isinstance(inputs, list) or not inputs:
        raise invalid(_("inputs must be a non-empty list holding the tensor 'input'."))
    for i, tensor in enumerate(inputs):
        _json_object(tensor, f"inputs[{i}]", {"name", "shape", "datatype", "data", "parameters"},
                     ("name", "shape", "datatype", "data"))
        if tensor["name"] != INPUT["name"]:
            raise invalid(_("Unknown input %(name)r; the model takes one input, 'input' "
                             "(FP32, shape [-1, 4]).") % {"name": tensor["name"]})
    if len(inputs) > 1:
        raise invalid(_("The input 'input' is given %(n)d times.") % {"n": len(inputs)})
    return _features(inputs[0]), _requested_outputs(payload.get("outputs")), request_id
