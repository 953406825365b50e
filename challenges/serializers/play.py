"""What a trainee sends and sees while playing: guesses, practice flowers, rounds, sessions."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from challenges.models import DEFAULT_LEVEL, DEFAULT_ROUNDS, MAX_ROUNDS, ChallengeSession
from flower_power.api.fields import StrictIntegerField
from ml.dataset import FEATURES, SPECIES
from ml.models import Level
from ml.serializers import FlowerDataSerializer

OUTCOMES = ["win", "draw", "loss"]
CHALLENGE_STATUSES = ChallengeSession.Status.choices


def species_field(**kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=SPECIES, **kwargs)


class GuessInputSerializer(serializers.Serializer):
    """Only the guess is read; anything else a client sends (scores, user...) is ignored."""

    guess = species_field()


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


class RevealSerializer(serializers.Serializer):
    # What an answer reveals: the species and the AI's guess. A base, without a docstring: it
    # would become every subclass's description in the schema.

    correct_species = species_field()
    guess = species_field()
    correct = serializers.BooleanField()
    ai_guess = species_field()
    ai_confidence = serializers.FloatField()
    ai_correct = serializers.BooleanField()


class RoundNumberSerializer(serializers.Serializer):
    round = serializers.IntegerField()


class AnswerOutputSerializer(RoundNumberSerializer, RevealSerializer):
    # The bases' fields come first, in their order.
    time_taken_ms = serializers.IntegerField()
    score = ScoreSerializer()
    answered = serializers.IntegerField()
    rounds = serializers.IntegerField()
    level = serializers.ChoiceField(choices=Level.choices)
    finished = serializers.BooleanField()
    outcome = serializers.ChoiceField(
        choices=OUTCOMES, allow_null=True, help_text=_("Once finished: against the AI.")
    )


class PracticeAnswerOutputSerializer(RevealSerializer):
    ai_guess = species_field(allow_null=True, help_text=_("Null when no model was active."))
    ai_confidence = serializers.FloatField(allow_null=True)
    ai_correct = serializers.BooleanField(allow_null=True)
    streak = serializers.IntegerField()
    photo_url = serializers.CharField(
        allow_null=True, help_text=_("The species' photo on this server, if a manager added one.")
    )
    photo_attribution = serializers.CharField(allow_null=True)


class RoundResultSerializer(RevealSerializer):
    """An answered round: your guess, the species, and the AI's guess."""

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
