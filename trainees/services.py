import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from flower_power.api.authentication import auth_versions_bump
from flower_power.errors import NotFound
from trainees.models import DEFAULT_TOKEN_NAME, MANAGERS_GROUP, ApiToken

# token_issue's ttl when none is given: settings.API_TOKEN_TTL (None means "never expires").
_DEFAULT_TTL = object()

# What a manager may do in the admin. Named as strings so this app imports no other app;
# a permission whose app is not installed yet is simply skipped.
MANAGER_PERMISSIONS = (
    "trainees.view_user", "trainees.add_user", "trainees.change_user",
    "trainees.view_apitoken", "trainees.delete_apitoken",
    "ml.view_flowersample", "ml.add_flowersample", "ml.change_flowersample",
    "ml.delete_flowersample",
    "ml.view_modelversion", "ml.add_modelversion", "ml.change_modelversion",
    "ml.view_speciesphoto", "ml.add_speciesphoto", "ml.change_speciesphoto",
    "ml.delete_speciesphoto",
    "challenges.view_challengesession", "challenges.view_challengeround",
    "challenges.view_practiceattempt",
)


def managers_group_sync() -> Group:
    """Create the Managers group if needed and give it exactly the manager permissions."""
    group, _ = Group.objects.get_or_create(name=MANAGERS_GROUP)
    wanted = []
    for dotted in MANAGER_PERMISSIONS:
        app_label, codename = dotted.split(".")
        wanted.extend(
            Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )
    group.permissions.set(wanted)
    return group


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None = None,
    display_name: str = "",
    store: str = "",
    manager: bool = False,
):
    """Create a trainee (or a manager: staff in the Managers group)."""
    User = get_user_model()
    user = User(username=username, display_name=display_name, store=store, is_staff=manager)
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.full_clean()
    user.save()
    if manager:
        user.groups.add(managers_group_sync())
    return user


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def user_auth_changed(user_ids: Iterable[int]) -> None:
    """Invalidate every process's cached copy of these users and their tokens, on commit."""
    ids = sorted({user_id for user_id in user_ids if user_id is not None})
    if not ids:
        return
    # On commit, so that no process can cache the old rows under the new stamp; and at once
    # as well, for reads inside this transaction (a test's, which never commits, among them).
    auth_versions_bump(ids)
    transaction.on_commit(lambda: auth_versions_bump(ids))


@transaction.atomic
def token_issue(
    *, user, name: str = "", ttl: timedelta | object | None = _DEFAULT_TTL,
    scope: str = ApiToken.Scope.API,
) -> tuple[ApiToken, str]:
    """Issue a new API token for one client: the stored row and the raw token, shown once.
    Its scope says where it authenticates (ApiToken.Scope)."""
    now = timezone.now()
    ttl = settings.API_TOKEN_TTL if ttl is _DEFAULT_TTL else ttl
    mine = ApiToken.objects.filter(user=user)
    mine.filter(expiry__lte=now).delete()
    # Each login is a new token; a client that logs in on every run would pile them up, so
    # past the limit the oldest go.
    keep = settings.API_TOKENS_PER_USER - 1
    stale = list(mine.order_by("-created", "-id").values_list("id", flat=True)[keep:])
    if stale:
        mine.filter(id__in=stale).delete()
    return ApiToken.objects.create(
        user=user, expiry=ttl, name=name or DEFAULT_TOKEN_NAME, scope=scope)


def token_revoke(*, user, token_id: int) -> None:
    """Revoke one of the user's own tokens; anyone else's is "not found"."""
    deleted = ApiToken.objects.filter(user=user, id=token_id).delete()[0]
    if not deleted:
        raise NotFound(_("No such token."))


def token_revoke_all(*, user) -> int:
    """Revoke every API token of the user; returns how many there were."""
    return ApiToken.objects.filter(user=user).delete()[1].get(ApiToken._meta.label, 0)


@transaction.atomic
def users_set_active(*, users: QuerySet, active: bool) -> int:
    """(De)activate these accounts; deactivation revokes their API tokens at once."""
    ids = list(users.exclude(is_active=active).values_list("id", flat=True))
    get_user_model().objects.filter(id__in=ids).update(is_active=active)
    if not active:
        ApiToken.objects.filter(user_id__in=ids).delete()
    user_auth_changed(ids)
    return len(ids)
