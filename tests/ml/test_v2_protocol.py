"""The Open Inference Protocol (KServe v2) over HTTP/REST, as standard clients speak it."""

import gzip
import struct
import zlib

import numpy as np
import orjson
import pytest

from ml.serving import registry
from trainees.services import token_issue

pytestmark = pytest.mark.django_db

SETOSA = [5.1, 3.5, 1.4, 0.2]
VIRGINICA = [6.7, 3.3, 5.7, 2.5]
INPUT_METADATA = [{"name": "input", "datatype": "FP32", "shape": [-1, 4]}]
OUTPUT_METADATA = [
    {"name": "probabilities", "datatype": "FP32", "shape": [-1, 3]},
    {"name": "species", "datatype": "BYTES", "shape": [-1]},
]


def infer_request(data=None, shape=None, **tensor):
    data = [*SETOSA, *VIRGINICA] if data is None else data
    return {"inputs": [{
        "name": "input", "shape": shape or [2, 4], "datatype": "FP32", "data": data, **tensor,
    }]}


def post_raw(client, path, body: bytes, **extra):
    return client.generic("POST", path, body, content_type="application/json", **extra)


def test_the_server_is_live_and_ready_to_anyone(anon, active_version):
    live = anon.get("/v2/health/live")
    assert (live.status_code, live.json()) == (200, {"live": True})
    ready = anon.get("/v2/health/ready")
    assert (ready.status_code, ready.json()) == (200, {"ready": True})


def test_the_server_and_the_model_are_not_ready_without_an_active_model(anon, trainee_api):
    registry.forget()
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


INVALID_BODIES = {
    "malformed JSON": (b'{"inputs": [', "Malformed JSON"),
    "NaN": (b'{"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP32", '
            b'"data": [NaN, 1, 1, 1]}]}', "Malformed JSON"),
    "Infinity": (b'{"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP32", '
                 b'"data": [Infinity, 1, 1, 1]}]}', "Malformed JSON"),
    "overflowing number": (b'{"inputs": [{"name": "input", "shape": [1, 4], '
                           b'"datatype": "FP32", "data": [1e999, 1, 1, 1]}]}', "Malformed JSON"),
    "empty body": (b"", "Malformed JSON"),
}

INVALID_REQUESTS = {
    "a list, not an object": ([], "must be a JSON object"),
    "missing inputs": ({}, "missing inputs"),
    "empty inputs": ({"inputs": []}, "non-empty list"),
    "unknown top-level field": ({**infer_request(), "instances": []}, "unknown fields"),
    "id not a string": ({**infer_request(), "id": 7}, "id must be a string"),
    "parameters not an object": ({**infer_request(), "parameters": []}, "parameters"),
    "wrong datatype": (infer_request(datatype="FP64"), "datatype"),
    "BYTES datatype": (infer_request(datatype="BYTES"), "datatype"),
    "one-dimensional shape": (infer_request(data=SETOSA, shape=[4]), "shape"),
    "five columns": (infer_request(data=[*SETOSA, 1.0], shape=[1, 5]), "shape"),
    "zero rows": (infer_request(data=[], shape=[0, 4]), "shape"),
    "float dimension": (infer_request(shape=[2.0, 4]), "shape"),
    "boolean dimension": (infer_request(data=SETOSA, shape=[True, 4]), "shape"),
    "shape not a list": (infer_request(shape="2,4"), "shape"),
    "too few values": (infer_request(data=SETOSA), "shape [2,4] needs 8 values, but data holds 4"),
    "too many values": (infer_request(data=SETOSA * 3), "needs 8 values, but data holds 12"),
    "ragged nested rows": (infer_request(data=[SETOSA, [6.7, 3.3, 5.7]]), "nested"),
    "nested rows not matching shape": (infer_request(data=[SETOSA]), "nested"),
    "data not a list": (infer_request(data={"a": 1}), "data must be a list"),
    "zero": (infer_request(data=[0, 3.3, 5.7, 2.5, *SETOSA]), "input[0].sepal_length"),
    "negative": (infer_request(data=[*SETOSA, 6.7, -3.3, 5.7, 2.5]), "input[1].sepal_width"),
    "over 30 cm": (infer_request(data=[*SETOSA, 6.7, 3.3, 31, 2.5]), "at most 30"),
    "the smallest float": (infer_request(data=[5e-324, 3.3, 5.7, 2.5, *SETOSA]), "at least 0.01"),
    "under 0.01 cm": (infer_request(data=[*SETOSA, 6.7, 3.3, 5.7, 0.009]), "at least 0.01"),
    "boolean": (infer_request(data=[True, 3.5, 1.4, 0.2, *VIRGINICA]), "must be a number"),
    "string": (infer_request(data=["5.1", 3.5, 1.4, 0.2, *VIRGINICA]), "must be a number"),
    "null": (infer_request(data=[None, 3.5, 1.4, 0.2, *VIRGINICA]), "must be a number"),
    "list inside flat data": (infer_request(data=[5.1, [3.5], 1.4, 0.2, *VIRGINICA]),
                              "must be a number"),
    "missing data": ({"inputs": [{"name": "input", "shape": [2, 4], "datatype": "FP32"}]},
                     "missing data"),
    "unknown tensor field": (infer_request(content=[1]), "unknown fields"),
    "wrong input name": (infer_request(name="features"), "Unknown input 'features'"),
    "extra input": (
        {"inputs": [*infer_request()["inputs"],
                    {"name": "extra", "shape": [1], "datatype": "FP32", "data": [1]}]},
        "Unknown input 'extra'",
    ),
    "input given twice": ({"inputs": infer_request()["inputs"] * 2}, "given 2 times"),
    "binary size and JSON data": (infer_request(parameters={"binary_data_size": 32}),
                                  "both data and binary_data_size"),
    "shared memory": (infer_request(parameters={"shared_memory_region": "r"}), "shared-memory"),
    "parameter value a list": ({**infer_request(), "parameters": {"priority": [1]}},
                               "must be a string, a number or a boolean"),
    "binary_data_output not a boolean": (
        {**infer_request(), "parameters": {"binary_data_output": "yes"}}, "true or false"),
    "binary_data not a boolean": (
        {**infer_request(), "outputs": [{"name": "species", "parameters": {"binary_data": 1}}]},
        "true or false"),
    "binary_data_size negative": (
        {"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP32",
                     "parameters": {"binary_data_size": -16}}]}, "whole number of bytes"),
    "unknown output": ({**infer_request(), "outputs": [{"name": "logits"}]},
                       "Unknown output 'logits'"),
    "output twice": ({**infer_request(), "outputs": [{"name": "species"}] * 2}, "twice"),
    "outputs not a list": ({**infer_request(), "outputs": {"name": "species"}}, "outputs"),
    "output name not a string": ({**infer_request(), "outputs": [{"name": ["species"]}]},
                                 "Unknown output"),
    "classification": (
        {**infer_request(), "outputs": [{"name": "species", "parameters": {"classification": 2}}]},
        "classification extension is not supported",
    ),
}


@pytest.mark.parametrize(("body", "message"), INVALID_BODIES.values(), ids=INVALID_BODIES)
def test_a_body_that_is_not_valid_json_is_a_400_naming_the_problem(
    trainee_api, active_version, body, message
):
    response = post_raw(trainee_api, "/v2/models/iris/infer", body)
    assert response.status_code == 400
    assert list(response.json()) == ["error"]
    assert message in response.json()["error"]


@pytest.mark.parametrize(("payload", "message"), INVALID_REQUESTS.values(), ids=INVALID_REQUESTS)
def test_an_invalid_inference_request_is_a_400_naming_the_problem(
    trainee_api, active_version, payload, message
):
    response = post_raw(trainee_api, "/v2/models/iris/infer", orjson.dumps(payload))
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["error"]
    assert message in response.json()["error"]


def binary_request(rows, *, outputs=None, parameters=None, size=None, extra=b""):
    """Triton's binary tensor data extension: the JSON header, then little-endian FP32."""
    data = np.asarray(rows, dtype="<f4").tobytes()
    tensor = {"name": "input", "shape": [len(rows), 4], "datatype": "FP32",
              "parameters": {"binary_data_size": len(data) if size is None else size}}
    header = {"inputs": [tensor]}
    if outputs is not None:
        header["outputs"] = outputs
    if parameters is not None:
        header["parameters"] = parameters
    json_part = orjson.dumps(header)
    return json_part + data + extra, len(json_part)


def binary_outputs(response) -> tuple[dict, dict]:
    """(the JSON header, {output name: decoded values}) of a binary inference response."""
    assert response["Content-Type"] == "application/octet-stream"
    size = int(response["Inference-Header-Content-Length"])
    header, blob = orjson.loads(response.content[:size]), response.content[size:]
    values, offset = {}, 0
    for output in header["outputs"]:
        if "data" in output:
            continue
        n = output["parameters"]["binary_data_size"]
        chunk, offset = blob[offset:offset + n], offset + n
        if output["datatype"] == "FP32":
            values[output["name"]] = np.frombuffer(chunk, dtype="<f4").reshape(output["shape"])
        else:
            items, at = [], 0
            while at < len(chunk):
                (length,) = struct.unpack_from("<I", chunk, at)
                items.append(chunk[at + 4:at + 4 + length].decode())
                at += 4 + length
            values[output["name"]] = items
    assert offset == len(blob)
    return header, values


def test_binary_input_tensors_give_the_same_answer_as_json_ones(trainee_api, active_version):
    body, size = binary_request([SETOSA, VIRGINICA])
    response = post_raw(trainee_api, "/v2/models/iris/infer", body,
                        HTTP_INFERENCE_HEADER_CONTENT_LENGTH=str(size))
    assert response.status_code == 200, response.content
    assert not response.has_header("Inference-Header-Content-Length")
    as_json = trainee_api.post("/v2/models/iris/infer", infer_request()).json()
    assert response.json()["outputs"] == as_json["outputs"]


def test_binary_outputs_are_sent_when_asked_for_all_or_one(trainee_api, active_version):
    body, size = binary_request([SETOSA, VIRGINICA], parameters={"binary_data_output": True})
    response = post_raw(trainee_api, "/v2/models/iris/infer", body,
                        HTTP_INFERENCE_HEADER_CONTENT_LENGTH=str(size))
    assert response.status_code == 200, response.content
    header, values = binary_outputs(response)
    assert [o["name"] for o in header["outputs"]] == ["probabilities", "species"]
    assert all("data" not in o for o in header["outputs"])
    assert values["species"] == ["setosa", "virginica"]
    assert values["probabilities"].shape == (2, 3)
    assert values["probabilities"].sum(axis=1) == pytest.approx([1, 1], abs=1e-5)

    mixed = trainee_api.post("/v2/models/iris/infer", {**infer_request(), "outputs": [
        {"name": "species", "parameters": {"binary_data": True}},
        {"name": "probabilities", "parameters": {"binary_data": False}},
    ]})
    header, values = binary_outputs(mixed)
    assert values == {"species": ["setosa", "virginica"]}
    assert len(header["outputs"][1]["data"]) == 6


BAD_BINARY = {
    "size not matching the shape": ({"size": 16}, "needs 32 bytes"),
    "fewer bytes than declared": ({"rows_override": [SETOSA]}, "holds 16 bytes"),
    "bytes no input claims": ({"extra": b"\0" * 4}, "4 bytes no input claims"),
    "a value out of range": ({"rows": [[5.1, 3.5, 31.0, 0.2]]}, "input[0].petal_length"),
    "NaN": ({"rows": [[5.1, float("nan"), 1.4, 0.2]]}, "input[0].sepal_width"),
}


@pytest.mark.parametrize(("case", "message"), BAD_BINARY.values(), ids=BAD_BINARY)
def test_bad_binary_tensor_data_is_a_400_naming_the_problem(
    trainee_api, active_version, case, message
):
    case = dict(case)
    rows = case.pop("rows", [SETOSA, VIRGINICA])
    override = case.pop("rows_override", None)
    body, size = binary_request(rows, **case)
    if override is not None:  # declare two rows, send one row's bytes
        body = body[:size] + np.asarray(override, dtype="<f4").tobytes()
    response = post_raw(trainee_api, "/v2/models/iris/infer", body,
                        HTTP_INFERENCE_HEADER_CONTENT_LENGTH=str(size))
    assert response.status_code == 400, response.content
    assert message in response.json()["error"]


@pytest.mark.parametrize("header", ["-1", "abc", "999999", ""])
def test_a_bad_inference_header_length_is_a_400(trainee_api, active_version, header):
    body, _size = binary_request([SETOSA])
    response = post_raw(trainee_api, "/v2/models/iris/infer", body,
                        HTTP_INFERENCE_HEADER_CONTENT_LENGTH=header)
    assert response.status_code == 400
    assert "Inference-Header-Content-Length" in response.json()["error"]


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw deflate"])
def test_compressed_request_bodies_are_understood(trainee_api, active_version, encoding):
    plain = orjson.dumps(infer_request())
    if encoding == "gzip":
        body = gzip.compress(plain)
    elif encoding == "deflate":
        body = zlib.compress(plain)
    else:
        packer = zlib.compressobj(wbits=-15)
        body = packer.compress(plain) + packer.flush()
    response = post_raw(trainee_api, "/v2/models/iris/infer", body,
                        HTTP_CONTENT_ENCODING=encoding.split()[-1])
    assert response.status_code == 200, response.content
    assert response.json()["outputs"][1]["data"] == ["setosa", "virginica"]


def test_bad_compressed_bodies_are_refused_clearly(trainee_api, active_version, settings):
    corrupt = post_raw(trainee_api, "/v2/models/iris/infer", b"not gzip at all",
                       HTTP_CONTENT_ENCODING="gzip")
    assert corrupt.status_code == 400 and "corrupt" in corrupt.json()["error"]
    truncated = post_raw(trainee_api, "/v2/models/iris/infer",
                         gzip.compress(orjson.dumps(infer_request()))[:-12],
                         HTTP_CONTENT_ENCODING="gzip")
    assert truncated.status_code == 400 and "truncated" in truncated.json()["error"]
    brotli = post_raw(trainee_api, "/v2/models/iris/infer", b"x", HTTP_CONTENT_ENCODING="br")
    assert brotli.status_code == 415 and "gzip, deflate" in brotli.json()["error"]
    # A small bomb: 20 KB of gzip that would expand past the body limit.
    settings.REQUEST_BODY_MAX_BYTES = 1_000_000
    bomb = gzip.compress(b" " * 20_000_000)
    assert len(bomb) < 100_000
    response = post_raw(trainee_api, "/v2/models/iris/infer", bomb, HTTP_CONTENT_ENCODING="gzip")
    assert response.status_code == 413
    assert list(response.json()) == ["error"]


def test_an_unknown_model_or_version_is_reported_before_a_bad_body(trainee_api, active_version):
    for path in ("/v2/models/roses/infer", "/v2/models/iris/versions/7/infer"):
        response = post_raw(trainee_api, path, b"{not json")
        assert response.status_code == 404, path


def test_not_ready_unknown_and_anonymous_are_three_different_answers(anon, trainee_api):
    registry.forget()
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
