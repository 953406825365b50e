from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ml.models import FlowerSample, Level, ModelVersion, Species

# A challenge's rounds: at most MAX_ROUNDS (and never more than there are test flowers).
MAX_ROUNDS = 50
DEFAULT_ROUNDS = 10
# The level a new trainee meets first: the Apprentice (~75% right) is beatable by a trainee
# who practised; the Botanist (the full model) is perfect on the shipped test flowers.
DEFAULT_LEVEL = Level.APPRENTICE
IDEMPOTENCY_KEY_MAX_LENGTH = 128


def answer_complete(prefix: str) -> models.CheckConstraint:
    """Unanswered (no guess, no verdict, no time) or fully answered: never half of it."""
    return models.CheckConstraint(
        condition=Q(answered_at__isnull=True, guess="", correct__isnull=True)
        | (Q(answered_at__isnull=False, correct__isnull=False) & ~Q(guess="")),
        name=f"{prefix}_answer_complete",
    )


class FlowerSnapshot(models.Model):
    """The flower as it was shown: a sample may later be edited or deleted by a manager."""

    sample = models.ForeignKey(
        FlowerSample, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("flower sample"),
    )
    sepal_length = models.FloatField(_("sepal length (cm)"))
    sepal_width = models.FloatField(_("sepal width (cm)"))
    petal_length = models.FloatField(_("petal length (cm)"))
    petal_width = models.FloatField(_("petal width (cm)"))
    species = models.CharField(_("correct species"), max_length=16, choices=Species.choices)
    ai_guess = models.CharField(
        _("AI's guess"), max_length=16, choices=Species.choices, blank=True
    )
    ai_confidence = models.FloatField(_("AI's confidence"), null=True, blank=True)
    guess = models.CharField(_("guess"), max_length=16, choices=Species.choices, blank=True)
    correct = models.BooleanField(_("correct"), null=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def measurements(self) -> list[float]:
        return [self.sepal_length, self.sepal_width, self.petal_length, self.petal_width]

    @property
    def ai_correct(self) -> bool | None:
        return None if not self.ai_guess else self.ai_guess == self.species


def trainee(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name=related_name,
        verbose_name=_("trainee"),
    )


class PracticeAttempt(FlowerSnapshot):
    user = trainee("practice_attempts")
    model_version = models.ForeignKey(
        ModelVersion, null=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("model version"),
    )
    created_at = models.DateTimeField(_("shown"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("practice attempt")
        verbose_name_plural = _("practice attempts")
        indexes = [models.Index(fields=["user", "-answered_at"])]
        constraints = [answer_complete("practiceattempt")]

    def __str__(self) -> str:
        return f"practice #{self.pk} by {self.user_id}"


class ChallengeSession(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("in progress")
        FINISHED = "finished", _("finished")
        ABANDONED = "abandoned", _("abandoned")

    user = trainee("challenge_sessions")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    rounds_count = models.PositiveSmallIntegerField(_("rounds"))
    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("AI model version"),
    )
    # Sessions from before levels existed were all played against the full model.
    level = models.CharField(
        _("AI level"), max_length=16, choices=Level.choices, default=Level.BOTANIST
    )
    # Why a manager may want to look at this session (fast answers, asking the AI); never
    # blocks the trainee. Codes, see challenges/services/fair_play.py.
    flags = models.JSONField(_("flags"), default=list, blank=True)
    ai_requests_refused = models.PositiveIntegerField(
        _("AI predictions refused during the session"), default=0
    )
    # Derived from the rounds, recomputed under the session's row lock at every answer.
    answered_count = models.PositiveSmallIntegerField(_("answered"), default=0)
    trainee_score = models.PositiveSmallIntegerField(_("trainee score"), default=0)
    ai_score = models.PositiveSmallIntegerField(_("AI score"), default=0)
    created_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    last_activity_at = models.DateTimeField(_("last activity"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("challenge session")
        verbose_name_plural = _("challenge sessions")
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["status", "last_activity_at"]),
        ]
        constraints = [
            # One open challenge per trainee: resuming is unambiguous, and a trainee cannot
            # keep a second session open to look ahead.
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="active"),
                name="challengesession_one_active_per_user",
            ),
            models.CheckConstraint(
                condition=Q(rounds_count__gte=1, rounds_count__lte=MAX_ROUNDS),
                name="challengesession_rounds_1_50",
            ),
            models.CheckConstraint(
                condition=Q(answered_count__lte=models.F("rounds_count"))
                & Q(trainee_score__lte=models.F("answered_count"))
                & Q(ai_score__lte=models.F("answered_count")),
                name="challengesession_scores_within_rounds",
            ),
        ]

    def __str__(self) -> str:
        return f"challenge #{self.pk} ({self.status})"

    @property
    def outcome(self) -> str | None:
        """win, draw or loss against the AI, once over; walking away is a loss."""
        if self.status == self.Status.ABANDONED:
            return "loss"
        if self.status != self.Status.FINISHED:
            return None
        if self.trainee_score > self.ai_score:
            return "win"
        return "draw" if self.trainee_score == self.ai_score else "loss"


class ChallengeRound(FlowerSnapshot):
    session = models.ForeignKey(
        ChallengeSession, on_delete=models.CASCADE, related_name="rounds",
        verbose_name=_("session"),
    )
    index = models.PositiveSmallIntegerField(_("round"))
    time_taken_ms = models.PositiveIntegerField(_("time taken (ms)"), null=True, blank=True)
    idempotency_key = models.CharField(max_length=IDEMPOTENCY_KEY_MAX_LENGTH, blank=True)
    answer_response = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["session_id", "index"]
        verbose_name = _("challenge round")
        verbose_name_plural = _("challenge rounds")
        indexes = [models.Index(fields=["answered_at"])]
        constraints = [
            models.UniqueConstraint(fields=["session", "index"], name="challengeround_unique"),
            models.UniqueConstraint(
                fields=["session", "sample"], name="challengeround_no_flower_twice"
            ),
            answer_complete("challengeround"),
        ]

    def __str__(self) -> str:
        return f"round {self.index} of challenge #{self.session_id}"
