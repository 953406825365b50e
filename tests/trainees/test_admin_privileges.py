"""A manager manages trainees only: another manager's or a superuser's account is out of reach
in every admin path (change form, password view, bulk actions); a superuser can change any."""

import pytest
from django.contrib.auth.models import Group

from tests.factories import PASSWORD, ManagerFactory, UserFactory
from trainees.models import MANAGERS_GROUP

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def other_manager(db):
    return ManagerFactory(username="otto", display_name="Otto")


@pytest.fixture
def superuser(db):
    return UserFactory(username="boss", display_name="Boss", is_staff=True, is_superuser=True)


@pytest.fixture(params=["other_manager", "superuser"])
def staff_account(request):
    return request.getfixturevalue(request.param)


def change_form(user, **overrides) -> dict:
    data = {
        "username": user.username, "display_name": "Renamed", "store": "Central",
        "is_active": "on", "is_staff": "on",
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def set_password(client, user):
    """Post a new password for the user on the admin's password form."""
    return client.post(
        f"/admin/trainees/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )


def test_a_manager_cannot_open_a_staff_accounts_password_view(client, manager, staff_account):
    client.force_login(manager)
    assert client.get(f"/admin/trainees/user/{staff_account.pk}/password/").status_code == 403


def test_a_manager_cannot_set_a_staff_accounts_password(client, manager, staff_account):
    client.force_login(manager)
    assert set_password(client, staff_account).status_code == 403
    staff_account.refresh_from_db()
    assert staff_account.check_password(PASSWORD)
    assert not staff_account.check_password(NEW_PASSWORD)


def test_a_manager_sees_a_staff_accounts_change_form_read_only(client, manager, staff_account):
    client.force_login(manager)
    response = client.get(f"/admin/trainees/user/{staff_account.pk}/change/")
    assert response.status_code == 200
    assert b'name="is_active"' not in response.content
    assert b'name="display_name"' not in response.content


def test_a_manager_cannot_deactivate_or_rename_a_staff_account_through_its_change_form(
    client, manager, staff_account
):
    client.force_login(manager)
    response = client.post(
        f"/admin/trainees/user/{staff_account.pk}/change/",
        change_form(staff_account, is_active=None, is_superuser=None),
    )
    assert response.status_code == 403
    staff_account.refresh_from_db()
    assert staff_account.is_active and staff_account.is_staff
    assert staff_account.display_name != "Renamed"


def test_a_manager_cannot_deactivate_a_staff_account_in_bulk(
    client, manager, staff_account, trainee
):
    client.force_login(manager)
    response = client.post(
        "/admin/trainees/user/",
        {"action": "deactivate", "_selected_action": [staff_account.pk, trainee.pk]},
        follow=True,
    )
    assert response.status_code == 200
    staff_account.refresh_from_db()
    trainee.refresh_from_db()
    assert staff_account.is_active
    assert not trainee.is_active
    assert "1 staff account left unchanged" in response.content.decode()


def test_a_manager_cannot_reactivate_a_deactivated_staff_account_in_bulk(
    client, manager, staff_account
):
    staff_account.is_active = False
    staff_account.save()
    client.force_login(manager)
    client.post(
        "/admin/trainees/user/", {"action": "activate", "_selected_action": [staff_account.pk]}
    )
    staff_account.refresh_from_db()
    assert not staff_account.is_active


def test_a_manager_still_manages_a_trainees_active_state_and_profile(client, manager, trainee):
    client.force_login(manager)
    response = client.post(
        f"/admin/trainees/user/{trainee.pk}/change/",
        change_form(trainee, is_active=None, is_staff=None),
    )
    assert response.status_code == 302, response.content[:2000]
    trainee.refresh_from_db()
    assert trainee.display_name == "Renamed"
    assert not trainee.is_active


def test_a_superuser_can_reset_a_managers_password(client, superuser, other_manager):
    client.force_login(superuser)
    assert set_password(client, other_manager).status_code == 302
    other_manager.refresh_from_db()
    assert other_manager.check_password(NEW_PASSWORD)


def test_a_superuser_can_change_a_managers_flags_and_groups(client, superuser, other_manager):
    client.force_login(superuser)
    response = client.post(
        f"/admin/trainees/user/{other_manager.pk}/change/",
        change_form(other_manager, is_active=None, is_staff=None, groups=[]),
    )
    assert response.status_code == 302, response.content[:2000]
    other_manager.refresh_from_db()
    assert not other_manager.is_active and not other_manager.is_staff
    assert not other_manager.groups.filter(name=MANAGERS_GROUP).exists()
    assert Group.objects.filter(name=MANAGERS_GROUP).exists()


def test_a_superuser_can_deactivate_a_manager_in_bulk(client, superuser, other_manager):
    client.force_login(superuser)
    client.post(
        "/admin/trainees/user/", {"action": "deactivate", "_selected_action": [other_manager.pk]}
    )
    other_manager.refresh_from_db()
    assert not other_manager.is_active
