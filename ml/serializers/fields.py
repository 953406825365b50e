"""What the ml app's input and output serializers share (also used by challenges)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ml.models import MEASUREMENT_MAX_CM, MEASUREMENT_MIN_CM


def reject_unknown_fields(serializer: serializers.Serializer) -> None:
    unknown = set(serializer.initial_data) - set(serializer.fields)
    if unknown:
        raise serializers.ValidationError(
            {name: [_("Unknown field.")] for name in sorted(unknown)}
        )


class RejectsUnknownFields:
    # Input serializers that refuse fields they do not know (read-only ones are ignored). A
    # comment: a docstring would become every such component's description in the schema.

    def validate(self, attrs):
        reject_unknown_fields(self)
        return super().validate(attrs)


class RejectsUnknownFieldsSchema(OpenApiSerializerExtension):
    """Say so in the OpenAPI schema: `additionalProperties: false` on the request body."""

    target_class = RejectsUnknownFields
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


@extend_schema_field({
    "type": "number", "minimum": MEASUREMENT_MIN_CM, "maximum": MEASUREMENT_MAX_CM,
})
class MeasurementField(serializers.FloatField):
    """A JSON number of cm in [0.01, 30]: no strings, booleans, NaN or infinities."""

    default_error_messages = {"not_positive": _("Must be at least %(min)s cm.")}

    def __init__(self, **kwargs) -> None:
        super().__init__(max_value=MEASUREMENT_MAX_CM, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if not value >= MEASUREMENT_MIN_CM:
            self.fail("not_positive", min=MEASUREMENT_MIN_CM)
        return value



def documented_json(component: type[serializers.Serializer]) -> type[serializers.JSONField]:
    """A JSON value sent exactly as stored, documented in the schema as `component`'s shape."""
    return extend_schema_field(component)(
        type(f"{component.__name__}Json", (serializers.JSONField,), {})
    )
