"""The Open Inference Protocol (KServe v2) over HTTP/REST, as standard clients speak it:
health, metadata, inference and the order of its refusals."""


import numpy as np
import orjson
import pytest

from ml.serving import model_cache
from tests.ml.v2_support import (
    INPUT_METADATA,
    OUTPUT_METADATA,
    SETOSA,
    VIRGINICA,
    infer_request,
    post_raw,
)
from trainees.services import token_issue

pytestmark = pytest.mark.django_db


def test_the_server_is_live_and_ready_to_anyone(anon, active_version):
    live = anon.get("/v2/health/live")
    assert (live.status_code, live.json()) == (200, {"live": True})
    ready = anon.get("/v2/health/ready")
    assert (ready.status_code, ready.json()) == (200, {"ready": True})


def test_the_server_and_the_model_are_not_ready_without_an_active_model(anon, trainee_api):
    model_cache.forget()
    response = anon.get("/v2/health/ready")
    assert response.status_code == 503
    assert response.json()["ready"] is False
    assert anon.get("/v2/health/live").status_code == 200
    assert trainee_api.get("/v2/models/iris/ready").status_code == 503
    response = trainee_api.post("/v2/models/iris/infer", infer_request())
    assert response.status_code == 503
    assert "no version is active" in response.json()["error"]


def test_server_metadata_names_the_server_and_the_binary_extension(trainee_api):
    for path in ("/v2", "/v2/"):
        body = trainee_api.get(path).json()
        assert body["name"] == "flower-power"
        assert isinstance(body["version"], str) and body["version"]
        assert body["extensions"] == ["binary_tensor_data"]


def test_model_metadata_describes_the_tensors_and_ready_versions(trainee_api, active_version):
    expected = {
        "name": "iris", "versions": ["1"], "platform": "tensorflow_tflite",
        "inputs": INPUT_METADATA, "outputs": OUTPUT_METADATA,
    }
    assert trainee_api.get("/v2/models/iris").json() == expected
    assert trainee_api.get("/v2/models/iris/versions/1").json() == expected


def test_the_model_and_its_active_version_are_ready(trainee_api, active_version):
    for path in ("/v2/models/iris/ready", "/v2/models/iris/versions/1/ready"):
        response = trainee_api.get(path)
        assert (response.status_code, response.json()) == (200, {"name": "iris", "ready": True})


@pytest.mark.parametrize("path", [
    "/v2/models/roses", "/v2/models/roses/ready", "/v2/models/iris/versions/2",
    "/v2/models/iris/versions/2/ready", "/v2/models/iris/versions/abc/ready",
    "/v2/models/iris/versions/99999999999999999999", "/v2/models/Iris/ready",
])
def test_an_unknown_model_or_version_is_a_404_in_the_protocols_shape(
    trainee_api, active_version, path
):
    response = trainee_api.get(path)
    assert response.status_code == 404
    assert list(response.json()) == ["error"] and isinstance(response.json()["error"], str)


def test_an_unknown_v2_route_is_a_404_in_the_protocols_shape(trainee_api, anon):
    for client, path in ((trainee_api, "/v2/health/live/"), (anon, "/v2/repository/index")):
        response = client.get(path)
        assert response.status_code == 404
        assert "No such v2 protocol route" in response.json()["error"]


def test_inference_echoes_the_id_and_matches_the_predict_api(trainee_api, active_version):
    response = trainee_api.post("/v2/models/iris/infer", {"id": "req-7", **infer_request()})
    assert response.status_code == 200
    body = response.json()
    assert (body["model_name"], body["model_version"], body["id"]) == ("iris", "1", "req-7")
    probabilities, species = body["outputs"]
    assert {k: v for k, v in probabilities.items() if k != "data"} == {
        "name": "probabilities", "datatype": "FP32", "shape": [2, 3]}
    assert species == {
        "name": "species", "datatype": "BYTES", "shape": [2], "data": ["setosa", "virginica"]}

    rest = trainee_api.post("/api/v1/predict/", {"instances": [SETOSA, VIRGINICA]}).json()
    expected = [p["probabilities"][name] for p in rest["predictions"]
                for name in ("setosa", "versicolor", "virginica")]
    assert probabilities["data"] == expected


def test_nested_data_and_a_missing_content_type_are_understood(trainee_api, active_version):
    flat = trainee_api.post("/v2/models/iris/infer", infer_request()).json()
    assert "id" not in flat
    body = orjson.dumps(infer_request(data=[SETOSA, VIRGINICA]))
    nested = trainee_api.generic("POST", "/v2/models/iris/infer", body, content_type="")
    assert nested.status_code == 200, nested.content
    assert nested.json()["outputs"] == flat["outputs"]


def test_only_the_requested_outputs_are_returned_in_the_requested_order(
    trainee_api, active_version
):
    one = trainee_api.post(
        "/v2/models/iris/infer", {**infer_request(), "outputs": [{"name": "species"}]}
    ).json()
    assert [o["name"] for o in one["outputs"]] == ["species"]
    both = trainee_api.post("/v2/models/iris/infer", {
        **infer_request(), "outputs": [{"name": "species"}, {"name": "probabilities"}],
    }).json()
    assert [o["name"] for o in both["outputs"]] == ["species", "probabilities"]


def test_the_versioned_route_serves_that_version_and_refuses_unknown_ones(
    trainee_api, active_version
):
    response = trainee_api.post("/v2/models/iris/versions/1/infer", infer_request())
    assert response.status_code == 200
    assert response.json()["model_version"] == "1"
    for version in ("2", "0", "one", "12345678901234567890"):
        response = trainee_api.post(f"/v2/models/iris/versions/{version}/infer", infer_request())
        assert response.status_code == 404, version
        assert "error" in response.json()
    assert trainee_api.post("/v2/models/roses/infer", infer_request()).status_code == 404


def test_a_batch_of_the_maximum_size_is_accepted(trainee_api, active_version):
    response = trainee_api.post(
        "/v2/models/iris/infer", infer_request(data=SETOSA * 10_000, shape=[10_000, 4])
    )
    assert response.status_code == 200
    assert response.json()["outputs"][1]["data"] == ["setosa"] * 10_000


def test_more_rows_than_the_limit_are_refused(trainee_api, active_version, settings):
    settings.ML_PREDICT_MAX_ROWS = 3
    response = trainee_api.post("/v2/models/iris/infer", infer_request(data=SETOSA * 4,
                                                                       shape=[4, 4]))
    assert response.status_code == 400
    assert "At most 3 rows" in response.json()["error"]


def test_an_unknown_model_or_version_is_reported_before_a_bad_body(trainee_api, active_version):
    for path in ("/v2/models/roses/infer", "/v2/models/iris/versions/7/infer"):
        response = post_raw(trainee_api, path, b"{not json")
        assert response.status_code == 404, path


def test_not_ready_unknown_and_anonymous_are_three_different_answers(anon, trainee_api):
    model_cache.forget()
    anonymous = anon.get("/v2/models/iris/ready")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"] == "Token"
    assert "ready" not in anonymous.json()
    not_ready = trainee_api.get("/v2/models/iris/ready")
    assert (not_ready.status_code, not_ready.json()["ready"]) == (503, False)
    unknown = trainee_api.get("/v2/models/iris/versions/3/ready")
    assert unknown.status_code == 404 and "ready" not in unknown.json()


def test_anonymous_callers_get_a_401_in_the_protocols_shape(anon, active_version):
    for path in ("/v2", "/v2/models/iris", "/v2/models/iris/ready",
                 "/v2/models/iris/versions/1"):
        response = anon.get(path)
        assert response.status_code == 401, path
        assert list(response.json()) == ["error"]
    response = anon.post("/v2/models/iris/infer", infer_request())
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert isinstance(response.json()["error"], str)


@pytest.mark.django_db(transaction=True)
def test_tritons_http_client_works_unchanged(live_server, trainee, active_version):
    httpclient = pytest.importorskip("tritonclient.http")
    from tritonclient.utils import InferenceServerException

    headers = {"Authorization": f"Token {token_issue(user=trainee)[1]}"}
    client = httpclient.InferenceServerClient(url=live_server.url.removeprefix("http://"))
    rows = np.asarray([SETOSA, VIRGINICA], dtype=np.float32)

    def infer(binary_data=True, headers=None, **kwargs):
        tensor = httpclient.InferInput("input", [2, 4], "FP32")
        tensor.set_data_from_numpy(rows, binary_data=binary_data)
        # A copy: tritonclient writes Inference-Header-Content-Length into the dict it gets.
        return client.infer("iris", [tensor], headers=dict(headers or {}), **kwargs)

    try:
        assert client.is_server_live() and client.is_server_ready()
        assert client.get_server_metadata(headers=headers)["extensions"] == ["binary_tensor_data"]
        assert client.is_model_ready("iris", headers=headers)
        assert not client.is_model_ready("iris", model_version="9", headers=headers)
        metadata = client.get_model_metadata("iris", headers=headers)
        assert metadata["inputs"] == INPUT_METADATA and metadata["outputs"] == OUTPUT_METADATA

        # The client's defaults: binary input tensor, binary outputs (binary_data_output).
        default = infer(headers=headers)
        assert default.as_numpy("species").tolist() == [b"setosa", b"virginica"]
        probabilities = default.as_numpy("probabilities")
        assert probabilities.shape == (2, 3) and probabilities.dtype == np.float32
        assert probabilities.sum(axis=1) == pytest.approx([1.0, 1.0], abs=1e-5)

        # Requested outputs, binary by default for the client, and JSON ones on request.
        binary = infer(outputs=[httpclient.InferRequestedOutput("species")], headers=headers,
                       model_version="1")
        assert binary.as_numpy("species").tolist() == [b"setosa", b"virginica"]
        as_json = [httpclient.InferRequestedOutput(name, binary_data=False)
                   for name in ("probabilities", "species")]
        result = infer(binary_data=False, outputs=as_json, request_id="42", headers=headers)
        assert result.get_response()["id"] == "42"
        assert result.as_numpy("species").tolist() == ["setosa", "virginica"]
        assert result.as_numpy("probabilities") == pytest.approx(probabilities, abs=1e-6)

        # Compressed requests (and responses) both ways tritonclient offers.
        for algorithm in ("gzip", "deflate"):
            compressed = infer(headers=headers, request_compression_algorithm=algorithm,
                               response_compression_algorithm=algorithm)
            assert compressed.as_numpy("species").tolist() == [b"setosa", b"virginica"]

        with pytest.raises(InferenceServerException) as anonymous:
            infer()
        assert anonymous.value.status() == "401"
        with pytest.raises(InferenceServerException) as unauthenticated:
            client.get_model_metadata("iris")
        assert unauthenticated.value.status() == "401"
    finally:
        client.close()
