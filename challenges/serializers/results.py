"""Results against the AI: the scoreboard, a trainee's stats and progress."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from challenges.selectors.results import PERIODS, SESSION_COUNTS
from challenges.serializers.play import OUTCOMES, species_field
from flower_power.api.keyed import keyed_serializer
from ml.dataset import SPECIES
from ml.models import Level
from ml.serializers import documented_json

PERIOD_CHOICES = list(PERIODS)


class ScoreboardQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=PERIOD_CHOICES, default="all")
    store = serializers.CharField(max_length=80, required=False, allow_blank=True)


class TraineeResultsSerializer(serializers.Serializer):
    # A trainee's results against the AI: a scoreboard row, and the core of `me` stats. (A
    # comment: a docstring would become every subclass's description in the schema.)

    sessions = serializers.IntegerField()
    rounds = serializers.IntegerField()
    correct = serializers.IntegerField()
    accuracy = serializers.FloatField(allow_null=True)
    ai_accuracy = serializers.FloatField(allow_null=True)
    wins = serializers.IntegerField()
    draws = serializers.IntegerField()
    losses = serializers.IntegerField()
    longest_streak = serializers.IntegerField()
    last_activity = serializers.DateTimeField(allow_null=True)


LevelResultsSerializer = keyed_serializer(
    "LevelResultsSerializer", SESSION_COUNTS, serializers.IntegerField
)
ResultsByLevelSerializer = keyed_serializer(
    "ResultsByLevelSerializer", Level.values, LevelResultsSerializer,
    "Challenges and outcomes against each AI level.",
)


class ScoreboardRowSerializer(TraineeResultsSerializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    store = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True, help_text=_("Null until ranked."))
    ranked = serializers.BooleanField()
    score = serializers.FloatField(
        allow_null=True,
        help_text=_("Lower bound of the 95% Wilson interval of accuracy: what ranks."),
    )
    rounds_to_rank = serializers.IntegerField()
    unranked_reason = serializers.CharField(allow_null=True)
    levels = ResultsByLevelSerializer(help_text=_("Sessions and outcomes per AI level."))


class ScoreboardAiSerializer(serializers.Serializer):
    rounds = serializers.IntegerField()
    accuracy = serializers.FloatField(allow_null=True)


class ScoreboardSerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=PERIOD_CHOICES)
    store = serializers.CharField(allow_null=True)
    min_rounds = serializers.IntegerField(help_text=_("Counted rounds needed to be ranked."))
    ai = ScoreboardAiSerializer()
    trainees = ScoreboardRowSerializer(many=True)


GuessCountsSerializer = keyed_serializer(
    "GuessCountsSerializer", SPECIES, serializers.IntegerField,
    "How many times each species was guessed.",
)
ConfusionRowsSerializer = keyed_serializer(
    "ConfusionRowsSerializer", SPECIES, GuessCountsSerializer,
    "Per true species, how many times you guessed each species.",
)


class SpeciesConfusionSerializer(serializers.Serializer):
    """Your answers (challenge rounds and practice) by true species and by guess."""

    species = serializers.ListField(child=species_field())
    matrix = ConfusionRowsSerializer(help_text=_("matrix[true species][guess]: a count."))


class MeStatsSerializer(TraineeResultsSerializer):
    practice_answers = serializers.IntegerField()
    practice_correct = serializers.IntegerField()
    # Sent as computed (challenges.selectors.trainee_confusion), documented as its shape.
    confusion = documented_json(SpeciesConfusionSerializer)()


class ProgressSessionSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    finished_at = serializers.DateTimeField()
    level = serializers.ChoiceField(choices=Level.choices)
    level_name = serializers.CharField()
    rounds = serializers.IntegerField()
    accuracy = serializers.FloatField()
    ai_accuracy = serializers.FloatField()
    outcome = serializers.ChoiceField(choices=OUTCOMES)


class MasterySerializer(serializers.Serializer):
    species = species_field()
    answered = serializers.IntegerField()
    correct = serializers.IntegerField()
    accuracy = serializers.FloatField(allow_null=True)


class ConfusionSerializer(serializers.Serializer):
    species = species_field()
    mistaken_for = species_field()
    count = serializers.IntegerField()


class NextPlaceSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    display_name = serializers.CharField()
    score = serializers.FloatField()
    gap = serializers.FloatField()


class RankSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    ranked_count = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True)
    rounds = serializers.IntegerField()
    min_rounds = serializers.IntegerField()
    rounds_to_rank = serializers.IntegerField()
    next = NextPlaceSerializer(allow_null=True)


SpeciesWeightsSerializer = keyed_serializer(
    "SpeciesWeightsSerializer", SPECIES, serializers.IntegerField,
    "How likely each species is to be drawn next (1, plus 2 per recent mistake on it).",
)


class PracticeDrawSerializer(serializers.Serializer):
    weights = documented_json(SpeciesWeightsSerializer)()
    memory = serializers.IntegerField()


class ProgressSerializer(serializers.Serializer):
    history = ProgressSessionSerializer(many=True)
    mastery = MasterySerializer(many=True)
    confusions = ConfusionSerializer(many=True)
    rank = RankSerializer()
    practice = PracticeDrawSerializer()
