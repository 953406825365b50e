from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS

MANAGERS_GROUP = "Managers"
# Stored, not translated: a token issued without a name keeps this one.
DEFAULT_TOKEN_NAME = "API client"


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    store = models.CharField(
        _("store / team"), max_length=80, blank=True, db_index=True,
        help_text=_("Optional: the shop or team, used to filter scoreboards."),
    )
    # The trainee's open challenge session, if any. Kept by challenges.services in the same
    # transactions that open and close sessions; it rides on the user row every request loads
    # anyway, so the prediction guard costs no query for a trainee who is not playing.
    open_challenge_id = models.PositiveIntegerField(
        _("open challenge"), null=True, blank=True, editable=False
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.shown_name

    def set_password(self, raw_password) -> None:
        super().set_password(raw_password)
        # A new password revokes every API token once saved (trainees.signals).
        self._password_changed = True

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._password_changed = True

    @property
    def shown_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_manager(self) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        # Cached per instance: permission checks ask this several times a request.
        if not hasattr(self, "_is_manager"):
            self._is_manager = self.is_staff and self.groups.filter(name=MANAGERS_GROUP).exists()
        return self._is_manager


class ApiToken(AbstractAuthToken):
    """One API client's token (django-rest-knox): only its SHA-512 digest is stored."""

    # Knox makes the digest the primary key; an integer id instead lets the API and the admin
    # name a token without ever showing its digest.
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    name = models.CharField(
        _("name"), max_length=100, default=DEFAULT_TOKEN_NAME,
        help_text=_("The client or device the token was issued to."),
    )

    class Scope(models.TextChoices):
        """What a token may do, checked when it authenticates (flower_power/api/authentication.py):
        a leaked scrape token must not be a trainee's key to the API."""

        API = "api", _("API")
        METRICS = "metrics", _("metrics scrape only")

    # A database default as well: a row written without the column (a process still running
    # the code before it, an older migration's model) is an ordinary API token.
    scope = models.CharField(
        _("scope"), max_length=16, choices=Scope.choices, default=Scope.API,
        db_default=Scope.API, help_text=_("API: the ordinary API. Metrics: only GET /metrics."),
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ("-created",)

    def __str__(self) -> str:
        return self.name
