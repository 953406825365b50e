"""The prediction routes on the lean path (flower_power/fastpath.py): the same checks, in the
same order, and the same answer as ml/views/v2.py ModelInferApi and ml/views/predict.py
PredictApi, for a request whose answer is a 200. Whatever would not be a 200 (a bad body, a
trainee in a challenge, a throttle, no loaded model) raises Fallback before anything is
counted, and Django's views answer it.
"""

from functools import cache

import orjson

from flower_power.api.renderers import FastJSONRenderer
from flower_power.fastpath import Answer, Fallback, FastRequest
from ml.guards import prediction_check
from ml.inputs import predict_payload
from ml.monitoring import inputs_record
from ml.serving import ServedModel, model_cache
from ml.v2_bodies import BINARY_HEADER, body_split
from ml.v2_protocol import infer_request_parse, infer_response
from ml.views.predict import PredictApi, prediction_body
from ml.views.v2 import ModelInferApi

_BINARY_HEADER_META = "HTTP_" + BINARY_HEADER.upper().replace("-", "_")


@cache
def _allow(view_class) -> str:
    """The Allow header DRF's view sets on its responses."""
    view = view_class()
    view.setup(None)  # as Django does per request: HEAD wherever there is a GET
    return ", ".join(view.allowed_methods)


def _model() -> ServedModel:
    model = model_cache.active_cached()
    if model is None:  # none active, or a check is due (a query): Django's turn
        raise Fallback
    return model


def v2_infer(request: FastRequest) -> Answer:
    """POST /v2/models/iris/infer."""
    model = _model()
    payload, binary = body_split(request.body, request.environ.get(_BINARY_HEADER_META))
    parsed = infer_request_parse(payload, binary)
    prediction_check(user=request.user)
    request.admit(len(parsed.rows))
    inputs_record(parsed.rows)
    body, content_type, headers = infer_response(
        probabilities=model.predict_proba(parsed.rows), request=parsed, version=model.number
    )
    headers = [("Allow", _allow(ModelInferApi)), *headers.items()]
    return Answer("200 OK", content_type, body, headers, model.number)


def predict(request: FastRequest) -> Answer:
    """POST /api/v1/predict/."""
    model = _model()
    try:
        payload = orjson.loads(request.body)
    except orjson.JSONDecodeError:
        raise Fallback from None
    x, _batch = predict_payload(payload)
    prediction_check(user=request.user)
    request.admit(len(x))
    inputs_record(x)
    body = FastJSONRenderer().render(prediction_body(model, x))
    return Answer("200 OK", "application/json", body, [("Allow", _allow(PredictApi))],
                  model.number)
