import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from rest_framework.authtoken.models import Token

from trainees.models import MANAGERS_GROUP

# What a manager may do in the admin. Named as strings so this app imports no other app;
# a permission whose app is not installed yet is simply skipped.
MANAGER_PERMISSIONS = (
    "trainees.view_user", "trainees.add_user", "trainees.change_user",
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


@transaction.atomic
def token_issue(*, user) -> Token:
    """Return the user's API token, creating it on first use."""
    token, _ = Token.objects.get_or_create(user=user)
    return token


def token_revoke(*, user) -> int:
    """Revoke the user's API token; a new login issues a fresh one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted
