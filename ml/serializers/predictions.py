from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ml.dataset import SPECIES


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



class LegacyPredictionSerializer(PredictionSerializer):
    model_version = serializers.IntegerField()
