from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ml.dataset import FEATURES, SPECIES
from ml.models import FlowerSample
from ml.serializers.fields import MeasurementField, RejectsUnknownFields


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

