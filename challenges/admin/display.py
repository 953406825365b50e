"""How numbers read in the challenges admin: shared by the record lists and the scoreboard."""

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

EMPTY = "-"

OUTCOMES = {
    "win": pgettext_lazy("challenge outcome", "win"),
    "draw": pgettext_lazy("challenge outcome", "draw"),
    "loss": pgettext_lazy("challenge outcome", "loss"),
}

# The blobs and training logs of a model version: never loaded to print its number.
MODEL_VERSION_HEAVY_FIELDS = ("tflite", "keras", "history", "metrics", "hyperparameters", "gate")


def heavy_version_fields(relation: str) -> list[str]:
    return [f"{relation}__{name}" for name in MODEL_VERSION_HEAVY_FIELDS]


def percent(value: float | None, empty: str = EMPTY) -> str:
    if value is None:
        return empty
    # number_format truncates: round first, or 2/3 reads 66.6%.
    return _("%(value)s%%") % {"value": formats.number_format(round(value * 100, 1), 1)}


def seconds(milliseconds: int | None, empty: str = EMPTY) -> str:
    if milliseconds is None:
        return empty
    return _("%(value)s s") % {
        "value": formats.number_format(round(milliseconds / 1000, 1), 1)
    }


def score(trainee: int, ai: int) -> str:
    return _("%(trainee)d vs %(ai)d") % {"trainee": trainee, "ai": ai}


def outcome(session, empty: str = EMPTY) -> str:
    result = session.outcome
    return str(OUTCOMES[result]) if result else empty


FLAGS = {
    "fast_answers": gettext_lazy("several answers faster than a person can read the flower"),
    "fast_perfect_streak": gettext_lazy("a streak of fast answers, all correct"),
}


def flags(session) -> list[str]:
    """Why a manager may want to look at this session, in words (empty if nothing)."""
    shown = [str(FLAGS.get(code, code)) for code in session.flags]
    if session.ai_requests_refused:
        shown.append(ngettext(
            "asked the AI %(n)d time during the challenge (refused)",
            "asked the AI %(n)d times during the challenge (refused)",
            session.ai_requests_refused,
        ) % {"n": session.ai_requests_refused})
    return shown
