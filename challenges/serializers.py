from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from challenges.models import ChallengeSession
from challenges.selectors import PERIODS
from challenges.services import DEFAULT_LEVEL, DEFAULT_ROUNDS, MAX_ROUNDS
from flower_power.api.fields import StrictIntegerField
from ml.dataset import FEATURES, SPECIES
from ml.models import Level
from ml.serializers import FlowerDataSerializer, documented_json

OUTCOMES = ["win", "draw", "loss"]
PERIOD_CHOICES = list(PERIODS)
CHALLENGE_STATUSES = ChallengeSession.Status.choices


class GuessInputSerializer(serializers.Serializer):
    """Only the guess is read; anything else a client sends (scores, user...) is ignored."""

    guess = serializers.ChoiceField(choices=SPECIES)


class ChallengeStartInputSerializer(serializers.Serializer):
    rounds = StrictIntegerField(
        min_value=1, max_value=MAX_ROUNDS, default=DEFAULT_ROUNDS,
        help_text=_("At most the options' max_rounds (the number of test flowers)."),
    )
    level = serializers.ChoiceField(
        choices=Level.choices, default=DEFAULT_LEVEL,
        help_text=_("The AI opponent; see GET /api/v1/challenges/options/."),
    )


def flower_data(snapshot) -> dict:
    return {"keys": list(FEATURES), "values": snapshot.measurements}


class PracticeOutputSerializer(serializers.Serializer):
    """An unlabelled flower: nothing here tells the species or the AI's guess."""

    id = serializers.IntegerField()
    data = FlowerDataSerializer(source="*")

    def to_representation(self, attempt):
        return {"id": attempt.id, "data": flower_data(attempt)}


class ScoreSerializer(serializers.Serializer):
    trainee = serializers.IntegerField()
    ai = serializers.IntegerField()


class AnswerOutputSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    correct_species = serializers.ChoiceField(choices=SPECIES)
    guess = serializers.ChoiceField(choices=SPECIES)
    correct = serializers.BooleanField()
    ai_guess = serializers.ChoiceField(choices=SPECIES)
    ai_confidence = serializers.FloatField()
    ai_correct = serializers.BooleanField()
    time_taken_ms = serializers.IntegerField()
    score = ScoreSerializer()
    answered = serializers.IntegerField()
    rounds = serializers.IntegerField()
    level = serializers.ChoiceField(choices=Level.choices)
    finished = serializers.BooleanField()
    outcome = serializers.ChoiceField(
        choices=OUTCOMES, allow_null=True, help_text=_("Once finished: against the AI.")
    )


class PracticeAnswerOutputSerializer(serializers.Serializer):
    correct_species = serializers.ChoiceField(choices=SPECIES)
    guess = serializers.ChoiceField(choices=SPECIES)
    correct = serializers.BooleanField()
    ai_guess = serializers.ChoiceField(
        choices=SPECIES, allow_null=True, help_text=_("Null when no model was active.")
    )
    ai_confidence = serializers.FloatField(allow_null=True)
    ai_correct = serializers.BooleanField(allow_null=True)
    streak = serializers.IntegerField()
    photo_url = serializers.CharField(
        allow_null=True, help_text=_("The species' photo on this server, if a manager added one.")
    )
    photo_attribution = serializers.CharField(allow_null=True)


class RoundResultSerializer(serializers.Serializer):
    """An answered round: your guess, the species, and the AI's guess."""

    guess = serializers.ChoiceField(choices=SPECIES)
    correct_species = serializers.ChoiceField(choices=SPECIES)
    correct = serializers.BooleanField()
    ai_guess = serializers.ChoiceField(choices=SPECIES)
    ai_confidence = serializers.FloatField()
    ai_correct = serializers.BooleanField()
    time_taken_ms = serializers.IntegerField(allow_null=True)


class RoundSerializer(serializers.Serializer):
    """A round; `result` appears only once it has been answered."""

    index = serializers.IntegerField()
    data = FlowerDataSerializer()
    answered = serializers.BooleanField()
    result = RoundResultSerializer(required=False, help_text=_("Only for answered rounds."))

    def to_representation(self, round_):
        body = {"index": round_.index, "data": flower_data(round_),
                "answered": round_.answered_at is not None}
        if round_.answered_at is not None:
            body["result"] = {
                "guess": round_.guess,
                "correct_species": round_.species,
                "correct": round_.correct,
                "ai_guess": round_.ai_guess,
                "ai_confidence": round_.ai_confidence,
                "ai_correct": round_.ai_correct,
                "time_taken_ms": round_.time_taken_ms,
            }
        return body


class SessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ChallengeSession.Status.choices)
    rounds_count = serializers.IntegerField()
    answered_count = serializers.IntegerField()
    score = ScoreSerializer()
    outcome = serializers.ChoiceField(
        choices=OUTCOMES, allow_null=True,
        help_text=_("Against the AI, once over (giving up is a loss); null while active."),
    )
    model_version = serializers.IntegerField()
    level = serializers.ChoiceField(choices=Level.choices)
    level_name = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, session):
        return {
            "id": session.id,
            "status": session.status,
            "rounds_count": session.rounds_count,
            "answered_count": session.answered_count,
            "score": {"trainee": session.trainee_score, "ai": session.ai_score},
            "outcome": session.outcome,
            "model_version": session.model_version.number,
            "level": session.level,
            "level_name": session.get_level_display(),
            "created_at": serializers.DateTimeField().to_representation(session.created_at),
            "finished_at": serializers.DateTimeField().to_representation(session.finished_at)
            if session.finished_at else None,
        }


class SessionDetailSerializer(SessionSerializer):
    rounds = RoundSerializer(many=True)

    def to_representation(self, session):
        body = super().to_representation(session)
        body["rounds"] = [RoundSerializer(r).data for r in session.rounds.all()]
        return body


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


class LevelResultsSerializer(serializers.Serializer):
    sessions = serializers.IntegerField()
    wins = serializers.IntegerField()
    draws = serializers.IntegerField()
    losses = serializers.IntegerField()


class ResultsByLevelSerializer(serializers.Serializer):
    """Challenges and outcomes against each AI level."""

    apprentice = LevelResultsSerializer()
    florist = LevelResultsSerializer()
    botanist = LevelResultsSerializer()


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


class GuessCountsSerializer(serializers.Serializer):
    """How many times each species was guessed."""

    setosa = serializers.IntegerField()
    versicolor = serializers.IntegerField()
    virginica = serializers.IntegerField()


class ConfusionRowsSerializer(serializers.Serializer):
    """Per true species, how many times you guessed each species."""

    setosa = GuessCountsSerializer()
    versicolor = GuessCountsSerializer()
    virginica = GuessCountsSerializer()


class SpeciesConfusionSerializer(serializers.Serializer):
    """Your answers (challenge rounds and practice) by true species and by guess."""

    species = serializers.ListField(child=serializers.ChoiceField(choices=SPECIES))
    matrix = ConfusionRowsSerializer(help_text=_("matrix[true species][guess]: a count."))


class MeStatsSerializer(TraineeResultsSerializer):
    practice_answers = serializers.IntegerField()
    practice_correct = serializers.IntegerField()
    # Sent as computed (challenges.selectors.trainee_confusion), documented as its shape.
    confusion = documented_json(SpeciesConfusionSerializer)()


class OpponentLevelSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)
    name = serializers.CharField()
    description = serializers.CharField()
    features = serializers.ListField(child=serializers.ChoiceField(choices=FEATURES))
    accuracy = serializers.FloatField(
        allow_null=True, help_text=_("Measured on the test flowers when the model was trained.")
    )
    available = serializers.BooleanField()


class ChallengeOptionsSerializer(serializers.Serializer):
    levels = OpponentLevelSerializer(many=True)
    default_level = serializers.ChoiceField(choices=Level.choices)
    model_version = serializers.IntegerField(allow_null=True)
    max_rounds = serializers.IntegerField()
    default_rounds = serializers.IntegerField()
    open_session = serializers.IntegerField(
        allow_null=True, help_text=_("Your open challenge, to resume it.")
    )


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
    species = serializers.ChoiceField(choices=SPECIES)
    answered = serializers.IntegerField()
    correct = serializers.IntegerField()
    accuracy = serializers.FloatField(allow_null=True)


class ConfusionSerializer(serializers.Serializer):
    species = serializers.ChoiceField(choices=SPECIES)
    mistaken_for = serializers.ChoiceField(choices=SPECIES)
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


class SpeciesWeightsSerializer(serializers.Serializer):
    """How likely each species is to be drawn next (1, plus 2 per recent mistake on it)."""

    setosa = serializers.IntegerField()
    versicolor = serializers.IntegerField()
    virginica = serializers.IntegerField()


class PracticeDrawSerializer(serializers.Serializer):
    weights = documented_json(SpeciesWeightsSerializer)()
    memory = serializers.IntegerField()


class ProgressSerializer(serializers.Serializer):
    history = ProgressSessionSerializer(many=True)
    mastery = MasterySerializer(many=True)
    confusions = ConfusionSerializer(many=True)
    rank = RankSerializer()
    practice = PracticeDrawSerializer()
