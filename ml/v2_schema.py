"""The Open Inference Protocol's objects, as OpenAPI components (documentation only: the
views build and parse these bodies in ml/v2_protocol.py)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ml.v2_protocol import EXTENSIONS

PARAMETER_VALUE = {"oneOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]}


@extend_schema_field({"type": "object", "additionalProperties": PARAMETER_VALUE})
class ParametersField(serializers.DictField):
    pass


@extend_schema_field({
    "type": "array",
    "description": "Row-major values: numbers for FP32, strings for BYTES; nested rows are "
    "accepted on input. Absent when the tensor travels as binary data.",
    "items": {"oneOf": [
        {"type": "number"}, {"type": "string"},
        {"type": "array", "items": {"type": "number"}},
    ]},
})
class TensorDataField(serializers.ListField):
    pass


class V2DatatypeEnum:
    choices = [("FP32", "FP32"), ("BYTES", "BYTES")]


class V2TensorMetadataSerializer(serializers.Serializer):
    name = serializers.CharField()
    datatype = serializers.ChoiceField(choices=V2DatatypeEnum.choices)
    shape = serializers.ListField(child=serializers.IntegerField(), help_text="-1: any size.")


class V2InferInputParametersSerializer(serializers.Serializer):
    binary_data_size = serializers.IntegerField(
        min_value=0, required=False,
        help_text="This input's bytes in the binary tensor data after the JSON header.",
    )


class V2InferInputSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=[("input", "input")])
    shape = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=2, max_length=2,
        help_text="[n, 4]: n flowers of 4 measurements.",
    )
    datatype = serializers.ChoiceField(
        choices=V2DatatypeEnum.choices, help_text="FP32 (the only one the model takes)."
    )
    data = TensorDataField(required=False)
    parameters = V2InferInputParametersSerializer(required=False)


class V2RequestedOutputParametersSerializer(serializers.Serializer):
    binary_data = serializers.BooleanField(
        required=False, help_text="Return this output as binary tensor data."
    )


class V2RequestedOutputSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=[("probabilities", "probabilities"),
                                            ("species", "species")])
    parameters = V2RequestedOutputParametersSerializer(required=False)


class V2InferRequestParametersSerializer(serializers.Serializer):
    binary_data_output = serializers.BooleanField(
        required=False, help_text="Return every output as binary tensor data by default."
    )


class V2InferRequestSerializer(serializers.Serializer):
    id = serializers.CharField(
        required=False, allow_blank=True, help_text="Echoed in the response."
    )
    parameters = V2InferRequestParametersSerializer(required=False)
    inputs = V2InferInputSerializer(many=True)
    outputs = V2RequestedOutputSerializer(
        many=True, required=False, help_text="Default: both outputs."
    )


class V2InferOutputParametersSerializer(serializers.Serializer):
    binary_data_size = serializers.IntegerField(
        help_text="This output's bytes in the binary tensor data after the JSON header."
    )


class V2InferOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    datatype = serializers.ChoiceField(choices=V2DatatypeEnum.choices)
    shape = serializers.ListField(child=serializers.IntegerField())
    data = TensorDataField(required=False)
    parameters = V2InferOutputParametersSerializer(required=False)


class V2InferResponseSerializer(serializers.Serializer):
    model_name = serializers.CharField()
    model_version = serializers.CharField()
    id = serializers.CharField(required=False)
    outputs = V2InferOutputSerializer(many=True)


class V2LiveSerializer(serializers.Serializer):
    live = serializers.BooleanField()


class V2ServerReadySerializer(serializers.Serializer):
    ready = serializers.BooleanField()
    error = serializers.CharField(required=False, help_text="Why not, when not ready.")


class V2ModelReadySerializer(V2ServerReadySerializer):
    name = serializers.CharField()


class V2ServerMetadataSerializer(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.CharField()
    extensions = serializers.ListField(
        child=serializers.CharField(), help_text=f"Supported: {', '.join(EXTENSIONS)}."
    )


class V2ModelMetadataSerializer(serializers.Serializer):
    name = serializers.CharField()
    versions = serializers.ListField(child=serializers.CharField())
    platform = serializers.CharField()
    inputs = V2TensorMetadataSerializer(many=True)
    outputs = V2TensorMetadataSerializer(many=True)


INFER_REQUEST_EXAMPLE = {
    "id": "order-42",
    "inputs": [{"name": "input", "shape": [2, 4], "datatype": "FP32",
                "data": [5.1, 3.5, 1.4, 0.2, 6.7, 3.3, 5.7, 2.5]}],
    "outputs": [{"name": "species"}, {"name": "probabilities"}],
}
INFER_RESPONSE_EXAMPLE = {
    "model_name": "iris", "model_version": "3", "id": "order-42",
    "outputs": [
        {"name": "species", "datatype": "BYTES", "shape": [2], "data": ["setosa", "virginica"]},
        {"name": "probabilities", "datatype": "FP32", "shape": [2, 3],
         "data": [0.981, 0.019, 0.0, 0.0, 0.032, 0.968]},
    ],
}
