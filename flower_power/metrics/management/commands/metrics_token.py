"""Create (or update) Prometheus's service account and print a new metrics-only token for it."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from trainees.models import ApiToken
from trainees.services import token_issue, token_revoke_all

TOKEN_NAME = "prometheus"


class Command(BaseCommand):
    help = (
        "Create or update the metrics service account (only the permission to scrape "
        "/metrics; it cannot log in) and print a new, non-expiring token for Prometheus that "
        "authenticates on /metrics only. "
        "The account's earlier tokens are revoked."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="prometheus")

    @transaction.atomic
    def handle(self, *args, username: str, **options):
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"display_name": "Prometheus (metrics)"}
        )
        # Only this permission, whatever the account had: it reads metrics and nothing else.
        user.is_staff = user.is_superuser = False
        user.is_active = True
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.set(
            [Permission.objects.get(content_type__app_label="metrics", codename="view_metrics")]
        )
        token_revoke_all(user=user)
        _row, raw = token_issue(
            user=user, name=TOKEN_NAME, ttl=None, scope=ApiToken.Scope.METRICS)
        self.stderr.write(
            f"{'Created' if created else 'Updated'} the service account {username!r}; "
            "its token (put it in Prometheus's `authorization: credentials`):"
        )
        self.stdout.write(raw)
