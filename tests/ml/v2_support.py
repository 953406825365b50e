"""What the v2 protocol tests share: requests as standard clients send them."""

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
