from django.db.models import Q, QuerySet
from django.utils import timezone

from trainees.models import ApiToken


def api_tokens_live(*, user) -> QuerySet[ApiToken]:
    """The user's tokens that still work, newest first."""
    live = Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
    return ApiToken.objects.filter(live, user=user).order_by("-created", "-id")
