from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ml.dataset import FEATURES, SPECIES
from ml.models import MEASUREMENT_MAX_CM, FlowerSample, Level, ModelVersion, Species
from ml.selectors import model_version_levels


def reject_unknown_fields(serializer: serializers.Serializer) -> None:
    unknown = set(serializer.initial_data) - set(serializer.fields)
    if unknown:
        raise serializers.ValidationError(
            {name: [_("Unknown field.")] for name in sorted(unknown)}
        )


class RejectsUnknownFields:
    """Input serializers that refuse fields they do not know (read-only ones are ignored)."""

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
    "type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": MEASUREMENT_MAX_CM,
})
class MeasurementField(serializers.FloatField):
    """A JSON number of cm in (0, 30]: no strings, booleans, NaN or infinities."""

    default_error_messages = {"not_positive": _("Must be above 0.")}

    def __init__(self, **kwargs) -> None:
        super().__init__(max_value=MEASUREMENT_MAX_CM, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if value <= 0:
            self.fail("not_positive")
        return value


class FlowerSampleSerializer(RejectsUnknownFields, serializers.ModelSerializer):
    added_by = serializers.CharField(
        source="added_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = FlowerSample
        fields = ["id", *FEATURES, "species", "split", "source", "added_by", "created_at"]
        read_only_fields = ["id", "split", "source", "added_by", "created_at"]

    def build_standard_field(self, field_name, model_field):
        if field_name in FEATURES:
            return MeasurementField, {}
        return super().build_standard_field(field_name, model_field)


class StudyFlowerSerializer(serializers.Serializer):
    """The prototype's get_random_flower payload, plus the sample id."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField(
        allow_null=True, help_text=_("This app's URL of the species photo; null when none.")
    )
    photo_attribution = serializers.CharField(allow_null=True)
    data = serializers.DictField()


class RandomFlowerQuerySerializer(serializers.Serializer):
    species = serializers.ChoiceField(choices=Species.choices, required=False)


class ModelLevelSerializer(serializers.Serializer):
    """An AI level the version trained, with its accuracy on the version's test split."""

    level = serializers.ChoiceField(choices=Level.choices)
    name = serializers.CharField()
    features = serializers.ListField(child=serializers.ChoiceField(choices=FEATURES))
    accuracy = serializers.FloatField(allow_null=True)


class ModelVersionSerializer(serializers.ModelSerializer):
    triggered_by = serializers.CharField(
        source="triggered_by.username", read_only=True, default=None, allow_null=True
    )
    accuracy = serializers.FloatField(read_only=True, allow_null=True)
    levels = serializers.SerializerMethodField()

    class Meta:
        model = ModelVersion
        fields = [
            "number", "status", "is_active", "progress", "progress_message", "accuracy",
            "levels", "hyperparameters", "train_count", "test_count", "trigger",
            "triggered_by", "created_at", "started_at", "finished_at", "duration_seconds",
            "activated_at", "error",
        ]

    @extend_schema_field(ModelLevelSerializer(many=True))
    def get_levels(self, version) -> list[dict]:
        return ModelLevelSerializer(model_version_levels(version=version), many=True).data


class ModelVersionDetailSerializer(ModelVersionSerializer):
    plots = serializers.SerializerMethodField()

    class Meta(ModelVersionSerializer.Meta):
        fields = [*ModelVersionSerializer.Meta.fields, "metrics", "history", "gate", "plots"]

    def get_plots(self, version) -> dict[str, str]:
        return {
            kind: f"/api/v1/models/{version.number}/plots/{kind}/"
            for kind in ("loss", "accuracy", "confusion")
        }


class RetrainInputSerializer(RejectsUnknownFields, serializers.Serializer):
    hidden_units = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=256), min_length=1, max_length=4,
        required=False,
    )
    learning_rate = serializers.FloatField(min_value=1e-6, max_value=10, required=False)
    batch_size = serializers.IntegerField(min_value=1, max_value=1024, required=False)
    epochs = serializers.IntegerField(min_value=1, max_value=5000, required=False)
    seed = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)


class RetrainOutputSerializer(serializers.Serializer):
    version = ModelVersionSerializer()
    poll = serializers.CharField()


class PredictionSerializer(serializers.Serializer):
    species = serializers.CharField()
    probabilities = serializers.DictField(child=serializers.FloatField())


class PredictOutputSerializer(serializers.Serializer):
    model_version = serializers.IntegerField()
    predictions = PredictionSerializer(many=True)


class MeasurementRangeSerializer(serializers.Serializer):
    min = serializers.FloatField()
    max = serializers.FloatField()
    mean = serializers.FloatField(help_text=_("Rounded to 2 decimals."))


class SpeciesRangeSerializer(serializers.Serializer):
    species = serializers.CharField()
    count = serializers.IntegerField()
    ranges = serializers.DictField(child=MeasurementRangeSerializer(allow_null=True))


class RuleConditionSerializer(serializers.Serializer):
    feature = serializers.ChoiceField(choices=FEATURES)
    op = serializers.ChoiceField(choices=["<", ">="])
    value = serializers.FloatField(help_text=_("cm, rounded to 2 decimals"))


class RuleSerializer(serializers.Serializer):
    conditions = RuleConditionSerializer(many=True)
    species = serializers.ChoiceField(choices=SPECIES)
    samples = serializers.IntegerField(help_text=_("training flowers that reach this rule"))
    correct = serializers.IntegerField(help_text=_("of them, those of this species"))


class SpeciesRulesSerializer(serializers.Serializer):
    train_count = serializers.IntegerField()
    depth = serializers.IntegerField()
    rules = RuleSerializer(many=True)


class SpeciesPhotoSerializer(serializers.Serializer):
    url = serializers.CharField()
    attribution = serializers.CharField()
    source_url = serializers.CharField(allow_blank=True)


class SpeciesPhotosSerializer(serializers.Serializer):
    setosa = SpeciesPhotoSerializer(allow_null=True)
    versicolor = SpeciesPhotoSerializer(allow_null=True)
    virginica = SpeciesPhotoSerializer(allow_null=True)


class LegacyPredictionSerializer(PredictionSerializer):
    model_version = serializers.IntegerField()
