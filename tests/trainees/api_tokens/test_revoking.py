"""Listing and revoking tokens: one's own, and every token of an account at once (a password
change, deactivation, deletion or a manager)."""

import pytest
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm

from tests.factories import UserFactory
from tests.trainees.api_tokens.conftest import NEW_PASSWORD, TOKEN_URL, TOKENS_URL, ping, warm
from trainees.models import ApiToken
from trainees.services import token_issue

pytestmark = pytest.mark.django_db


# --- Listing and revoking one's own


def test_a_trainee_lists_their_own_tokens_only(anon, trainee, other_trainee):
    _, laptop = token_issue(user=trainee, name="laptop")
    _, phone = token_issue(user=trainee, name="phone")
    token_issue(user=other_trainee, name="bob's")
    response = anon.get(TOKENS_URL, HTTP_AUTHORIZATION=f"Token {phone}")
    assert response.status_code == 200
    tokens = response.json()
    assert [t["name"] for t in tokens] == ["phone", "laptop"]
    assert [t["current"] for t in tokens] == [True, False]
    assert all(set(t) == {"id", "name", "created", "expiry", "current", "scope"}
               for t in tokens)
    assert {t["scope"] for t in tokens} == {"api"}
    assert phone not in response.content.decode() and laptop not in response.content.decode()


def test_anonymous_cannot_list_or_revoke_tokens(anon, trainee):
    token, _ = token_issue(user=trainee)
    assert anon.get(TOKENS_URL).status_code == 401
    assert anon.delete(TOKENS_URL).status_code == 401
    assert anon.delete(f"{TOKENS_URL}{token.id}/").status_code == 401
    assert ApiToken.objects.filter(id=token.id).exists()


def test_a_trainee_revokes_one_of_their_tokens_by_id(anon, trainee):
    laptop, laptop_raw = token_issue(user=trainee, name="laptop")
    _, phone_raw = token_issue(user=trainee, name="phone")
    warm(anon, laptop_raw)
    response = anon.delete(f"{TOKENS_URL}{laptop.id}/", HTTP_AUTHORIZATION=f"Token {phone_raw}")
    assert response.status_code == 204
    assert ping(anon, laptop_raw) == 401
    assert ping(anon, phone_raw) == 200


def test_another_users_token_is_not_found(anon, trainee, other_trainee):
    theirs, their_raw = token_issue(user=other_trainee)
    _, mine = token_issue(user=trainee)
    for token_id in (theirs.id, 10**12, 10**30):
        response = anon.delete(f"{TOKENS_URL}{token_id}/", HTTP_AUTHORIZATION=f"Token {mine}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert ping(anon, their_raw) == 200


def test_revoking_all_tokens_includes_the_current_one(anon, trainee, other_trainee):
    _, first = token_issue(user=trainee)
    _, second = token_issue(user=trainee)
    _, theirs = token_issue(user=other_trainee)
    warm(anon, first)
    response = anon.delete(TOKENS_URL, HTTP_AUTHORIZATION=f"Token {second}")
    assert response.json() == {"revoked": 2}
    assert [ping(anon, raw) for raw in (first, second, theirs)] == [401, 401, 200]


def test_delete_on_the_token_endpoint_revokes_only_the_token_presented(anon, trainee):
    _, used = token_issue(user=trainee)
    _, other = token_issue(user=trainee)
    warm(anon, used)
    response = anon.delete(TOKEN_URL, HTTP_AUTHORIZATION=f"Bearer {used}")
    assert response.status_code == 204
    assert ping(anon, used) == 401
    assert ping(anon, other) == 200


def test_delete_on_the_token_endpoint_with_a_session_revokes_nothing(client, trainee):
    _, raw = token_issue(user=trainee)
    client.force_login(trainee)
    response = client.delete(TOKEN_URL)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_token"
    assert ping(client, raw) == 200


def test_a_session_lists_tokens_with_none_current(client, trainee):
    token_issue(user=trainee)
    client.force_login(trainee)
    assert [t["current"] for t in client.get(TOKENS_URL).json()] == [False]


# --- What revokes every token of an account, at once (the cache warm first)


def test_changing_the_password_revokes_every_token(client, trainee, password):
    _, raw = token_issue(user=trainee)
    warm(client, raw)
    client.force_login(trainee)
    response = client.post("/accounts/password_change/", {
        "old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert response.status_code == 302
    assert ping(client, raw) == 401
    assert not ApiToken.objects.filter(user=trainee).exists()


def test_a_password_change_form_save_revokes_every_token(anon, trainee, password):
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    form = PasswordChangeForm(trainee, {
        "old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert form.is_valid(), form.errors
    form.save()
    assert ping(anon, raw) == 401


def test_a_password_reset_revokes_every_token(anon, trainee):
    # SetPasswordForm is what Django's reset flow (PasswordResetConfirmView) saves.
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    form = SetPasswordForm(trainee, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert form.is_valid(), form.errors
    form.save()
    assert ping(anon, raw) == 401


def test_a_managers_password_change_in_the_admin_revokes_every_token(
    client, anon, manager, trainee
):
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    client.force_login(manager)
    response = client.post(
        f"/admin/trainees/user/{trainee.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert ping(anon, raw) == 401


def test_deactivating_an_account_revokes_its_tokens(anon, trainee):
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    trainee.is_active = False
    trainee.save()
    assert ping(anon, raw) == 401
    assert not ApiToken.objects.filter(user=trainee).exists()


def test_the_admin_deactivate_action_revokes_tokens(client, anon, manager, trainee):
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    client.force_login(manager)
    client.post("/admin/trainees/user/", {"action": "deactivate", "_selected_action": [trainee.pk]})
    trainee.refresh_from_db()
    assert trainee.is_active is False
    assert ping(anon, raw) == 401


def test_deleting_an_account_revokes_its_tokens(anon, trainee):
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    trainee.delete()
    assert ping(anon, raw) == 401


def by_the_revoke_action(client, user, token):
    return client.post(
        "/admin/trainees/user/", {"action": "revoke_api_tokens", "_selected_action": [user.pk]}
    )


def on_the_token_delete_page(client, user, token):
    return client.post(f"/admin/trainees/apitoken/{token.id}/delete/", {"post": "yes"})


@pytest.mark.parametrize(
    "revoke", [by_the_revoke_action, on_the_token_delete_page], ids=["action", "delete_page"]
)
def test_a_manager_revokes_a_trainees_token_in_the_admin(client, anon, manager, trainee, revoke):
    token, raw = token_issue(user=trainee)
    warm(anon, raw)
    client.force_login(manager)
    assert revoke(client, trainee, token).status_code == 302
    assert ping(anon, raw) == 401


def test_the_manager_action_leaves_a_staff_accounts_tokens(client, anon, manager):
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    token, raw = token_issue(user=boss)
    client.force_login(manager)
    by_the_revoke_action(client, boss, token)
    assert ping(anon, raw) == 200


def test_a_manager_sees_trainees_tokens_but_never_a_digest(client, manager, trainee):
    token, raw = token_issue(user=trainee, name="shop laptop")
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    token_issue(user=boss, name="boss phone")
    client.force_login(manager)
    page = client.get("/admin/trainees/apitoken/").content.decode()
    assert "shop laptop" in page and "boss phone" not in page
    detail = client.get(f"/admin/trainees/apitoken/{token.id}/change/").content.decode()
    assert token.digest not in page + detail and raw[15:] not in page + detail


def test_a_manager_cannot_delete_a_staff_accounts_token(client, anon, manager):
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    token, raw = token_issue(user=boss)
    client.force_login(manager)
    response = on_the_token_delete_page(client, boss, token)
    # Outside a manager's queryset the token "does not exist": the admin redirects to its index.
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert ApiToken.objects.filter(id=token.id).exists()
    assert ping(anon, raw) == 200


def test_a_trainee_cannot_see_the_token_admin(client, trainee):
    client.force_login(trainee)
    assert client.get("/admin/trainees/apitoken/").status_code == 302  # to the admin login

