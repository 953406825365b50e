from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from flower_power.api.fields import StrictIntegerField
from ml.dataset import FEATURES
from ml.models import Level, ModelVersion
from ml.selectors import model_version_levels
from ml.serializers.fields import RejectsUnknownFields, documented_json


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

