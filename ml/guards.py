"""Who may be refused a prediction, decided by the apps that know (settings.ML_PREDICTION_GUARDS).

ml imports no other app of ours: the challenges app plugs its rule in through the setting, the
way Django plugs in password validators.
"""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


@cache
def _guards(paths: tuple[str, ...]) -> list:
    return [import_string(path) for path in paths]


def prediction_check(*, user) -> None:
    """Raise the first guard's refusal (an ApplicationError) if this user may not be answered."""
    for guard in _guards(tuple(settings.ML_PREDICTION_GUARDS)):
        guard(user=user)
