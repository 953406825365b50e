"""Who gets into the challenges admin, and the records nobody may change."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.challenges.admin.conftest import (
    ATTEMPTS,
    ROUNDS,
    SCOREBOARD,
    SESSIONS,
    practise,
    trainee_page,
)
from tests.challenges.conftest import play
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# Who gets in


def test_a_trainee_is_sent_to_the_admin_login_from_every_page(client, trainee, league):
    client.force_login(trainee)
    session = league["win"]
    round_ = session.rounds.first()
    attempt = practise(trainee, None, species="setosa", guess="setosa")
    urls = [
        SCOREBOARD, f"{SCOREBOARD}?format=csv", trainee_page(trainee), SESSIONS, ROUNDS,
        ATTEMPTS, reverse("admin:challenges_challengesession_change", args=[session.pk]),
        reverse("admin:challenges_challengeround_change", args=[round_.pk]),
        reverse("admin:challenges_practiceattempt_change", args=[attempt.pk]),
    ]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_staff_without_the_view_permission_get_403_on_the_scoreboard(client, league, trainee):
    client.force_login(UserFactory(is_staff=True))

    for url in (SCOREBOARD, f"{SCOREBOARD}?format=csv", trainee_page(trainee)):
        assert client.get(url).status_code == 403, url
    assert SCOREBOARD not in client.get(reverse("admin:index")).content.decode()


def test_staff_with_only_the_view_permission_see_the_scoreboard(client, league):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_challengesession"))
    client.force_login(viewer)

    assert client.get(SCOREBOARD).status_code == 200


def test_the_admin_index_links_to_the_scoreboard(manager_client):
    index = manager_client.get(reverse("admin:index")).content.decode()
    app_index = manager_client.get(reverse("admin:app_list", args=["challenges"])).content.decode()
    other_app = manager_client.get(reverse("admin:app_list", args=["ml"])).content.decode()
    sessions = manager_client.get(SESSIONS).content.decode()

    assert f'href="{SCOREBOARD}"' in index
    assert "Managers' scoreboard" in index
    assert f'href="{SCOREBOARD}"' in app_index
    assert f'href="{SCOREBOARD}"' not in other_app
    assert f'href="{SCOREBOARD}"' in sessions


# Read-only records


def test_a_manager_sees_the_sessions_with_score_outcome_and_version(manager_client, league):
    response = manager_client.get(SESSIONS, {"user__store": "Central"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "3 vs 1" in page
    assert ">win<" in page and ">draw<" in page and ">loss<" in page
    assert "v1" in page
    assert "Bob" not in page
    assert manager_client.get(SESSIONS, {"q": "bob"}).content.decode().count(">Bob<") == 1


def test_the_session_list_query_count_does_not_grow_with_sessions(
    manager_client, league, version, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        manager_client.get(SESSIONS)
    for i in range(20):
        play(UserFactory(username=f"extra{i}"), version, [(1, 0)])
    with django_assert_max_num_queries(8):
        manager_client.get(SESSIONS)
    with django_assert_max_num_queries(8):
        manager_client.get(ROUNDS)


def test_a_session_page_shows_its_rounds_read_only(manager_client, league):
    session = league["win"]

    response = manager_client.get(
        reverse("admin:challenges_challengesession_change", args=[session.pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "87.5%" in page and "versicolor" in page and "6.0 s" in page
    assert 'name="rounds-0-guess"' not in page
    assert 'name="_save"' not in page


def test_a_manager_sees_rounds_and_practice_attempts(manager_client, league, trainee, version):
    practise(trainee, version, species="versicolor", guess="virginica")

    rounds = manager_client.get(ROUNDS, {"correct__exact": "0"})
    attempts = manager_client.get(ATTEMPTS)

    assert rounds.status_code == 200
    assert "round 4 of challenge #" in rounds.content.decode()
    assert attempts.status_code == 200
    assert "60.0%" in attempts.content.decode()


@pytest.fixture
def records(league, trainee, version):
    session = league["win"]
    return {
        "challengesession": session,
        "challengeround": session.rounds.get(index=1),
        "practiceattempt": practise(trainee, version, species="setosa", guess="setosa"),
    }


@pytest.mark.parametrize("who", ["manager", "superuser"])
@pytest.mark.parametrize("model", ["challengesession", "challengeround", "practiceattempt"])
def test_nobody_adds_changes_or_deletes_records(client, manager, records, model, who):
    client.force_login(manager if who == "manager" else UserFactory(is_staff=True,
                                                                    is_superuser=True))
    obj = records[model]
    change = reverse(f"admin:challenges_{model}_change", args=[obj.pk])
    delete = reverse(f"admin:challenges_{model}_delete", args=[obj.pk])
    changelist = reverse(f"admin:challenges_{model}_changelist")

    assert client.get(change).status_code == 200
    assert client.post(change, {"guess": "virginica", "status": "abandoned"}).status_code == 403
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse(f"admin:challenges_{model}_add")).status_code == 403
    listing = client.get(changelist).content.decode()
    assert "delete_selected" not in listing
    assert client.post(
        changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    ).status_code == 200  # the list again: the action does not exist for them
    assert type(obj).objects.filter(pk=obj.pk).exists()
    obj.refresh_from_db()
    assert getattr(obj, "guess", "setosa") == "setosa"
    assert getattr(obj, "status", "finished") == "finished"
