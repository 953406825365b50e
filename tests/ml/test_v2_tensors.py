"""The v2 protocol's bodies: invalid requests named clearly, Triton's binary tensor data
both ways, compressed bodies."""

import gzip
import struct
import zlib

import numpy as np
import orjson
import pytest

from tests.ml.v2_support import (
    SETOSA,
    VIRGINICA,
    infer_request,
    post_raw,
)

pytestmark = pytest.mark.django_db


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
