import pytest
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import UserFactory
from trainees.models import MANAGERS_GROUP, User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "weak",
    ["short-pw1", "password123", "1234567890123", "alice-alice"],
    ids=["too-short", "common", "numeric", "like-the-username"],
)
def test_weak_passwords_are_refused(weak):
    user = User(username="alice-alice", display_name="Alice")
    with pytest.raises(ValidationError):
        validate_password(weak, user)


@pytest.mark.parametrize(
    "derived",
    ["load7load7load7", "Load7Load7Load7", "7daol7daol7daol", "LOAD7-load7-7daol", "load7load7!!"],
    ids=["repeated", "recased", "reversed", "mixed", "repeated-plus-two"],
)
def test_passwords_derived_from_the_username_are_refused(derived):
    with pytest.raises(ValidationError) as refused:
        validate_password(derived, User(username="load7"))
    assert "password_from_username" in [error.code for error in refused.value.error_list]


def test_a_passphrase_that_merely_contains_the_username_is_accepted():
    validate_password("load7 waters the tulips on mondays", User(username="load7"))


def test_a_64_character_passphrase_is_accepted():
    passphrase = "tulips and irises bloom in the shop window every single spring!!"
    assert len(passphrase) == 64
    validate_password(passphrase, User(username="alice"))


def test_deactivating_an_account_ends_its_session_and_token_at_once(
    client, trainee, trainee_api, password
):
    login = client.post("/accounts/login/", {"username": "alice", "password": password})
    assert login.status_code == 302
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/").status_code == 200
    trainee.is_active = False
    trainee.save()
    assert client.get("/api/v1/me/").status_code == 401
    assert client.get("/").status_code == 302
    assert trainee_api.get("/api/v1/me/").status_code == 401


def test_the_managers_group_exists_with_account_permissions():
    group = Group.objects.get(name=MANAGERS_GROUP)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"view_user", "add_user", "change_user"} <= codenames
    assert "delete_user" not in codenames


def test_a_manager_can_list_and_create_accounts_in_the_admin(client, manager, password):
    client.force_login(manager)
    assert client.get("/admin/trainees/user/").status_code == 200
    response = client.post(
        "/admin/trainees/user/add/",
        {
            "username": "carol", "display_name": "Carol", "store": "Central",
            "password1": "a long enough passphrase", "password2": "a long enough passphrase",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    carol = User.objects.get(username="carol")
    assert carol.check_password("a long enough passphrase")
    assert not carol.is_staff and not carol.is_superuser


def test_a_manager_cannot_make_anyone_superuser(client, manager, trainee):
    client.force_login(manager)
    response = client.post(
        f"/admin/trainees/user/{trainee.pk}/change/",
        {
            "username": "alice", "display_name": "Alice", "store": "Central",
            "is_active": "on", "is_superuser": "on", "is_staff": "on",
            "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert not trainee.is_superuser and not trainee.is_staff


def test_a_manager_cannot_edit_a_superuser(client, manager):
    boss = UserFactory(username="boss", is_superuser=True, is_staff=True)
    client.force_login(manager)
    response = client.get(f"/admin/trainees/user/{boss.pk}/password/")
    assert response.status_code == 403


def test_a_manager_can_deactivate_trainees_but_not_themselves(client, manager, trainee):
    client.force_login(manager)
    response = client.post(
        "/admin/trainees/user/",
        {"action": "deactivate", "_selected_action": [trainee.pk, manager.pk]},
    )
    assert response.status_code == 302
    trainee.refresh_from_db()
    manager.refresh_from_db()
    assert not trainee.is_active
    assert manager.is_active


def test_a_manager_can_reset_a_trainees_password(client, manager, trainee):
    client.force_login(manager)
    response = client.post(
        f"/admin/trainees/user/{trainee.pk}/password/",
        {"password1": "brand new passphrase", "password2": "brand new passphrase"},
    )
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.check_password("brand new passphrase")


def test_a_trainee_has_no_admin_access(client, trainee):
    client.force_login(trainee)
    response = client.get("/admin/trainees/user/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_login_page_logs_in_and_logout_logs_out(client, trainee, password):
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"username": "alice", "password": password})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_a_trainee_changes_their_password(client, trainee, password):
    client.force_login(trainee)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": password,
            "new_password1": "another fine passphrase",
            "new_password2": "another fine passphrase",
        },
    )
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.check_password("another fine passphrase")


def test_the_password_change_page_refuses_a_weak_password(client, trainee, password):
    client.force_login(trainee)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": password, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    trainee.refresh_from_db()
    assert trainee.check_password(password)
