import pytest

pytestmark = pytest.mark.django_db

VIRGINICA = {"sepal_length": 6.7, "sepal_width": 3.3, "petal_length": 5.7, "petal_width": 2.5}
SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


def test_anonymous_cannot_predict(anon, active_version):
    assert anon.post("/api/v1/predict/", VIRGINICA).status_code == 401
    assert anon.get("/predict_flower?guess_string=[6.7,3.3,5.7,2.5]").status_code == 401


def test_a_trainee_predicts_one_flower(trainee_api, active_version):
    body = trainee_api.post("/api/v1/predict/", VIRGINICA).json()
    assert body["model_version"] == 1
    [prediction] = body["predictions"]
    assert prediction["species"] == "virginica"
    assert set(prediction["probabilities"]) == {"setosa", "versicolor", "virginica"}
    assert sum(prediction["probabilities"].values()) == pytest.approx(1.0, abs=1e-5)


def test_a_batch_of_objects_and_lists_is_predicted_in_order(trainee_api, active_version):
    body = trainee_api.post(
        "/api/v1/predict/", {"instances": [SETOSA, [6.7, 3.3, 5.7, 2.5]]}
    ).json()
    assert [p["species"] for p in body["predictions"]] == ["setosa", "virginica"]


def test_a_batch_of_10000_rows_is_accepted(trainee_api, active_version):
    body = trainee_api.post("/api/v1/predict/", {"instances": [[5.1, 3.5, 1.4, 0.2]] * 10_000})
    assert body.status_code == 200
    assert len(body.json()["predictions"]) == 10_000


def test_get_with_query_parameters_predicts_one_flower(trainee_api, active_version):
    body = trainee_api.get("/api/v1/predict/", VIRGINICA).json()
    assert body["predictions"][0]["species"] == "virginica"


def test_the_legacy_route_parses_the_guess_string_strictly(trainee_api, active_version):
    body = trainee_api.get("/predict_flower?guess_string=[6.7,3.3,5.7,2.5]").json()
    assert body["species"] == "virginica" and body["model_version"] == 1
    for evil in ("__import__('os').system('id')", "[1,2,3]", "[1,2,3,4,5]", "[nan,1,1,1]",
                 "[1e999,1,1,1]", "", "[0x10,1,1,1]", "[\u0661,1,1,1]", "[5e-324,1,1,1]",
                 "[\u0666.7,3.3,5.7,2.5]"):
        response = trainee_api.get("/predict_flower", {"guess_string": evil})
        assert response.status_code == 400, evil
        assert response.json()["error"]["fields"]


def test_without_an_active_model_predictions_are_a_clear_503(trainee_api, flowers):
    response = trainee_api.post("/api/v1/predict/", VIRGINICA)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "no_model"


BAD_BODIES = {
    "nan-literal": '{"sepal_length": NaN, "sepal_width": 1, "petal_length": 1, "petal_width": 1}',
    "infinity": '{"sepal_length": Infinity, "sepal_width": 1, "petal_length": 1, "petal_width": 1}',
    "malformed": '{"sepal_length": 1,',
    "not-an-object": "[1, 2, 3, 4]",
    "string-number": '{"sepal_length": "5", "sepal_width": 1, "petal_length": 1, "petal_width": 1}',
    "boolean": '{"sepal_length": true, "sepal_width": 1, "petal_length": 1, "petal_width": 1}',
    "negative": '{"sepal_length": -1, "sepal_width": 1, "petal_length": 1, "petal_width": 1}',
    "zero": '{"sepal_length": 0, "sepal_width": 1, "petal_length": 1, "petal_width": 1}',
    "too-big": '{"sepal_length": 30.5, "sepal_width": 1, "petal_length": 1, "petal_width": 1}',
    "denormal": '{"sepal_length": 5e-324, "sepal_width": 1, "petal_length": 1, "petal_width": 1}',
    "tiny": '{"sepal_length": 0.009, "sepal_width": 1, "petal_length": 1, "petal_width": 1}',
    "denormal-in-batch": '{"instances": [[5e-324, 1, 1, 1]]}',
    "huge": '{"sepal_length": 1e308, "sepal_width": 1, "petal_length": 1, "petal_width": 1}',
    "missing": '{"sepal_length": 1, "sepal_width": 1, "petal_length": 1}',
    "extra": '{"sepal_length": 1, "sepal_width": 1, "petal_length": 1, "petal_width": 1, "x": 1}',
    "null": '{"sepal_length": null, "sepal_width": 1, "petal_length": 1, "petal_width": 1}',
    "nested": '{"sepal_length": [1], "sepal_width": 1, "petal_length": 1, "petal_width": 1}',
    "empty-batch": '{"instances": []}',
    "batch-not-list": '{"instances": {"a": 1}}',
    "short-row": '{"instances": [[1, 2, 3]]}',
    "long-row": '{"instances": [[1, 2, 3, 4, 5]]}',
    "bad-row-value": '{"instances": [[1, 2, 3, "x"]]}',
    "batch-extra-key": '{"instances": [[1, 2, 3, 4]], "more": 1}',
    "empty-body": "",
    "scalar": "42",
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_invalid_input_is_a_400_json_error_naming_the_problem(trainee_api, active_version, body):
    response = trainee_api.generic(
        "POST", "/api/v1/predict/", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] in ("invalid", "parse_error")
    assert error["message"]


def test_the_smallest_accepted_measurement_is_0_01_cm(trainee_api, active_version):
    flower = {"sepal_length": 0.01, "sepal_width": 1, "petal_length": 1, "petal_width": 1}
    assert trainee_api.post("/api/v1/predict/", flower).status_code == 200
    assert trainee_api.post("/api/v1/predict/", {"instances": [[0.01, 1, 1, 1]]}).status_code == 200
    response = trainee_api.post("/api/v1/predict/", {**flower, "sepal_length": 0.0099})
    assert response.status_code == 400
    assert "at least 0.01" in response.json()["error"]["message"]


def test_too_many_rows_are_refused(trainee_api, active_version, settings):
    settings.ML_PREDICT_MAX_ROWS = 5
    response = trainee_api.post("/api/v1/predict/", {"instances": [[1, 2, 3, 1]] * 6})
    assert response.status_code == 400
    assert "At most 5" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {**VIRGINICA, "sepal_length": "nan"},
        {**VIRGINICA, "sepal_length": "inf"},
        {**VIRGINICA, "sepal_length": "abc"},
        {**VIRGINICA, "sepal_length": "-2"},
        {**VIRGINICA, "sepal_length": "5e-324"},
        {**VIRGINICA, "sepal_length": "\u0661"},  # Arabic-Indic one
        {**VIRGINICA, "sepal_length": "\uff15.1"},  # fullwidth five
        {**VIRGINICA, "sepal_length": "1_0"},
    ],
    ids=["missing", "nan", "inf", "abc", "negative", "denormal", "arabic-indic", "fullwidth",
         "underscore"],
)
def test_bad_query_parameters_are_400(trainee_api, active_version, query):
    assert trainee_api.get("/api/v1/predict/", query).status_code == 400


def test_a_form_encoded_body_is_refused_as_unsupported(trainee_api, active_version):
    response = trainee_api.post("/api/v1/predict/", VIRGINICA, format="multipart")
    assert response.status_code == 415
