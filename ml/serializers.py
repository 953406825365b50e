from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from flower_power.api.fields import StrictIntegerField
from ml.dataset import FEATURES, SPECIES
from ml.models import (
    MEASUREMENT_MAX_CM,
    MEASUREMENT_MIN_CM,
    FlowerSample,
    Level,
    ModelVersion,
)
from ml.selectors import model_version_levels


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


class FlowerSampleSerializer(RejectsUnknownFields, serializers.ModelSerializer):
    # The one SpeciesEnum of the schema (the model's choices carry other labels).
    species = serializers.ChoiceField(choices=SPECIES)
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


class FlowerDataSerializer(serializers.Serializer):
    """A flower's four measurements: `values[i]` is the measurement named `keys[i]`, in cm."""

    keys = serializers.ListField(child=serializers.ChoiceField(choices=FEATURES))
    values = serializers.ListField(child=serializers.FloatField())


class StudyFlowerSerializer(serializers.Serializer):
    """A training flower to study, with its species and this app's photo of the species."""

    id = serializers.IntegerField()
    name = serializers.ChoiceField(choices=SPECIES, help_text=_("The flower's species."))
    url = serializers.CharField(
        allow_null=True, help_text=_("This app's URL of the species photo; null when none.")
    )
    photo_attribution = serializers.CharField(allow_null=True)
    data = FlowerDataSerializer()


class RandomFlowerQuerySerializer(serializers.Serializer):
    species = serializers.ChoiceField(choices=SPECIES, required=False)


class ModelLevelSerializer(serializers.Serializer):
    """An AI level the version trained, with its accuracy on the version's test split."""

    level = serializers.ChoiceField(choices=Level.choices)
    name = serializers.CharField()
    features = serializers.ListField(child=serializers.ChoiceField(choices=FEATURES))
    accuracy = serializers.FloatField(allow_null=True)


class HyperparametersSerializer(serializers.Serializer):
    """What a version was trained with."""

    hidden_units = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("Units of each hidden layer.")
    )
    learning_rate = serializers.FloatField()
    batch_size = serializers.IntegerField()
    epochs = serializers.IntegerField()
    seed = serializers.IntegerField()


class ClassMetricsSerializer(serializers.Serializer):
    precision = serializers.FloatField()
    recall = serializers.FloatField()
    f1 = serializers.FloatField()
    support = serializers.IntegerField(help_text=_("Test flowers of this species."))


class PerClassMetricsSerializer(serializers.Serializer):
    """Precision, recall and F1 of each species on the test split."""

    setosa = ClassMetricsSerializer()
    versicolor = ClassMetricsSerializer()
    virginica = ClassMetricsSerializer()


class MetricsSerializer(serializers.Serializer):
    """Test-split figures; empty (`{}`) until the version has trained."""

    accuracy = serializers.FloatField(required=False)
    loss = serializers.FloatField(required=False, help_text=_("Mean cross-entropy."))
    per_class = PerClassMetricsSerializer(required=False)
    confusion_matrix = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()), required=False,
        help_text=_("Rows: true species, columns: predicted species, both in the order "
                    "setosa, versicolor, virginica."),
    )


class HistorySerializer(serializers.Serializer):
    """One value per epoch; empty (`{}`) until the version has trained."""

    loss = serializers.ListField(child=serializers.FloatField(), required=False)
    accuracy = serializers.ListField(child=serializers.FloatField(), required=False)
    test_loss = serializers.ListField(child=serializers.FloatField(), required=False)
    test_accuracy = serializers.ListField(child=serializers.FloatField(), required=False)


GATE_CODES = ["passed", "below_floor", "worse_than_active"]
MODEL_VERSION_STATUSES = ModelVersion.Status.choices


class GateSerializer(serializers.Serializer):
    """The promotion gate's verdict; empty (`{}`) until the version has trained."""

    passed = serializers.BooleanField(required=False)
    code = serializers.ChoiceField(choices=GATE_CODES, required=False)
    reason = serializers.CharField(required=False)
    accuracy = serializers.FloatField(required=False)
    min_accuracy = serializers.FloatField(required=False)
    tolerance = serializers.FloatField(required=False)
    active_version = serializers.IntegerField(
        allow_null=True, required=False, help_text=_("The version active at the time, if any.")
    )
    active_accuracy = serializers.FloatField(allow_null=True, required=False)


class ModelPlotsSerializer(serializers.Serializer):
    """This version's plot URLs (PNG, or SVG/JSON by Accept)."""

    loss = serializers.CharField()
    accuracy = serializers.CharField()
    confusion = serializers.CharField()


def documented_json(component: type[serializers.Serializer]) -> type[serializers.JSONField]:
    """A JSON value sent exactly as stored, documented in the schema as `component`'s shape."""
    return extend_schema_field(component)(
        type(f"{component.__name__}Json", (serializers.JSONField,), {})
    )


class ModelVersionSerializer(serializers.ModelSerializer):
    hyperparameters = documented_json(HyperparametersSerializer)()
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
        # Output only: every field is always sent (and so `required` in the schema).
        read_only_fields = fields

    @extend_schema_field(ModelLevelSerializer(many=True))
    def get_levels(self, version) -> list[dict]:
        return ModelLevelSerializer(model_version_levels(version=version), many=True).data


class ModelVersionDetailSerializer(ModelVersionSerializer):
    metrics = documented_json(MetricsSerializer)()
    history = documented_json(HistorySerializer)()
    gate = documented_json(GateSerializer)()
    plots = serializers.SerializerMethodField()

    class Meta(ModelVersionSerializer.Meta):
        fields = [*ModelVersionSerializer.Meta.fields, "metrics", "history", "gate", "plots"]
        read_only_fields = fields

    @extend_schema_field(ModelPlotsSerializer)
    def get_plots(self, version) -> dict[str, str]:
        return {
            kind: f"/api/v1/models/{version.number}/plots/{kind}/"
            for kind in ("loss", "accuracy", "confusion")
        }


class RetrainInputSerializer(RejectsUnknownFields, serializers.Serializer):
    hidden_units = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=256), min_length=1, max_length=4,
        required=False,
    )
    learning_rate = serializers.FloatField(min_value=1e-6, max_value=10, required=False)
    batch_size = StrictIntegerField(min_value=1, max_value=1024, required=False)
    epochs = StrictIntegerField(min_value=1, max_value=5000, required=False)
    seed = StrictIntegerField(min_value=0, max_value=2**31 - 1, required=False)


class RetrainOutputSerializer(serializers.Serializer):
    version = ModelVersionSerializer()
    poll = serializers.CharField()


class SpeciesProbabilitiesSerializer(serializers.Serializer):
    """The model's probability of each species; they add up to 1."""

    setosa = serializers.FloatField()
    versicolor = serializers.FloatField()
    virginica = serializers.FloatField()


class PredictionSerializer(serializers.Serializer):
    species = serializers.ChoiceField(choices=SPECIES, help_text=_("The most probable species."))
    probabilities = SpeciesProbabilitiesSerializer()


class PredictOutputSerializer(serializers.Serializer):
    model_version = serializers.IntegerField()
    predictions = PredictionSerializer(many=True)


class MeasurementRangeSerializer(serializers.Serializer):
    min = serializers.FloatField()
    max = serializers.FloatField()
    mean = serializers.FloatField(help_text=_("Rounded to 2 decimals."))


class MeasurementRangesSerializer(serializers.Serializer):
    """Per measurement, its range over the species' training flowers; null when none."""

    sepal_length = MeasurementRangeSerializer(allow_null=True)
    sepal_width = MeasurementRangeSerializer(allow_null=True)
    petal_length = MeasurementRangeSerializer(allow_null=True)
    petal_width = MeasurementRangeSerializer(allow_null=True)


class SpeciesRangeSerializer(serializers.Serializer):
    species = serializers.ChoiceField(choices=SPECIES)
    count = serializers.IntegerField(help_text=_("Training flowers of this species."))
    ranges = MeasurementRangesSerializer()


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
