"""The challenges admin: the managers' scoreboard, a page per trainee, and read-only records."""

import csv
import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from challenges.models import ChallengeSession, PracticeAttempt
from ml.models import ModelVersion
from tests.challenges.conftest import play
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SCOREBOARD = reverse("admin:challenges_scoreboard")
SESSIONS = reverse("admin:challenges_challengesession_changelist")
ROUNDS = reverse("admin:challenges_challengeround_changelist")
ATTEMPTS = reverse("admin:challenges_practiceattempt_changelist")


def trainee_page(user) -> str:
    return reverse("admin:challenges_scoreboard_trainee", args=[user.pk])


def practise(user, version, *, species, guess):
    return PracticeAttempt.objects.create(
        user=user, model_version=version, sepal_length=6.0, sepal_width=2.9, petal_length=4.5,
        petal_width=1.5, species=species, guess=guess, correct=species == guess,
        ai_guess=species, ai_confidence=0.6, answered_at=timezone.now(),
    )


@pytest.fixture
def version(db):
    # The admin only reads a version's number: no need to train one.
    return ModelVersion.objects.create(
        number=1, status=ModelVersion.Status.READY, is_active=True,
        trigger=ModelVersion.Trigger.BOOTSTRAP, progress=1.0,
    )


@pytest.fixture
def league(trainee, other_trainee, manager, version):
    """The same league as the scoreboard selector's tests, so the numbers are known."""
    # Alice (store Central): a win (3-1), a draw (1-1), and an old loss (0-2) 10 days ago.
    sessions = {
        "win": play(trainee, version, [(1, 1), (1, 0), (1, 0), (0, 0)], days_ago=2),
        "draw": play(trainee, version, [(1, 0), (0, 1)], days_ago=1),
        "loss": play(trainee, version, [(0, 1), (0, 1)], days_ago=10),
    }
    # Bob (store Harbour): one unfinished session with 2 of 3 rounds answered, both right.
    bob = play(other_trainee, version, [(1, 1), (1, 1)], status="active")
    ChallengeSession.objects.filter(id=bob.id).update(rounds_count=3)
    # Managers play too, but are not on the trainees' scoreboard.
    play(manager, version, [(1, 1)])
    UserFactory(username="carol", display_name="Carol", store="Harbour")  # never played
    return sessions


class Tables(HTMLParser):
    """The text of every cell of every table with an id: {id: [[cell, ...], ...]}."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table = self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = dict(attrs).get("id")
            if self._table:
                self.tables[self._table] = []
        elif self._table and tag == "tr":
            self.tables[self._table].append([])
        elif self._table and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif self._table and tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table(response, table_id: str) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    return Tables(response.content.decode()).tables[table_id]


def board_rows(response) -> dict[str, list[str]]:
    """Scoreboard rows by username (the third column), in page order."""
    return {cells[2]: cells for cells in table(response, "scoreboard")[1:]}


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode())))


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


# The scoreboard


def test_a_manager_sees_the_scoreboard_with_hand_computed_numbers(manager_client, league):
    response = manager_client.get(SCOREBOARD)

    rows = board_rows(response)
    # Nobody has the 10 rounds to be ranked: the most rounds first.
    assert list(rows) == ["alice", "bob", "carol"]
    # rank, trainee, username, store, sessions, rounds, accuracy, score, AI accuracy,
    # W, D, L, streak (the correct answers are in the CSV: the table fits a laptop)
    assert rows["alice"][:13] == [
        "2 more challenge rounds to be ranked", "Alice", "alice", "Central", "3", "8",
        "50.0%", "21.5%", "50.0%", "1", "1", "1", "3",
    ]
    assert rows["bob"][:13] == [
        "8 more challenge rounds to be ranked", "Bob", "bob", "Harbour", "1", "2",
        "100.0%", "34.2%", "100.0%", "0", "0", "0", "2",
    ]
    assert rows["carol"][4:13] == ["0", "0", "-", "-", "-", "0", "0", "0", "0"]
    assert rows["carol"][13] == "-"  # no last activity
    assert "mina" not in rows
    page = response.content.decode()
    # The AI: 1 + 1 + 2 right of Alice's 8 rounds, 2 of Bob's 2.
    assert re.search(r"accuracy on the same rounds: <strong>60.0%</strong> over 10 answered", page)
    assert f'href="{trainee_page(league["win"].user)}"' in page


@pytest.mark.parametrize(
    ("order", "usernames"),
    [
        ("-rounds", ["alice", "bob", "carol"]),
        ("rounds", ["carol", "bob", "alice"]),
        ("accuracy", ["alice", "bob", "carol"]),  # no accuracy yet: last either way
        ("-accuracy", ["bob", "alice", "carol"]),
        ("-display_name", ["carol", "bob", "alice"]),
        ("store", ["alice", "bob", "carol"]),  # Central, then Harbour by username
        ("-losses", ["alice", "bob", "carol"]),
        ("last_activity", ["alice", "bob", "carol"]),
    ],
)
def test_a_column_sorts_the_table(manager_client, league, order, usernames):
    response = manager_client.get(SCOREBOARD, {"o": order})

    assert list(board_rows(response)) == usernames


def test_a_column_header_links_to_the_other_direction_and_keeps_the_filters(
    manager_client, league
):
    page = manager_client.get(
        SCOREBOARD, {"o": "-rounds", "period": "7d", "store": "Harbour"}
    ).content.decode()

    assert 'href="?period=7d&amp;store=Harbour&amp;o=rounds"' in page
    # Another column starts high to low, names start A to Z.
    assert 'href="?period=7d&amp;store=Harbour&amp;o=-accuracy"' in page
    assert 'href="?period=7d&amp;store=Harbour&amp;o=username"' in page
    assert '<input type="hidden" name="o" value="-rounds">' in page


def test_the_period_filter_drops_old_rounds(manager_client, league):
    response = manager_client.get(SCOREBOARD, {"period": "7d"})

    rows = board_rows(response)
    # Alice without the loss 10 days ago: 2 sessions, 6 rounds, 4 right; AI 2 of 6.
    assert rows["alice"][4:12] == ["2", "6", "66.7%", "30.0%", "33.3%", "1", "1", "0"]
    assert "<strong>50.0%</strong> over 8 answered rounds (Last 7 days)" in (
        response.content.decode()
    )


def test_the_store_filter_shows_only_that_store(manager_client, league):
    response = manager_client.get(SCOREBOARD, {"store": "Harbour"})

    assert list(board_rows(response)) == ["bob", "carol"]
    page = response.content.decode()
    assert "<strong>100.0%</strong> over 2 answered rounds" in page
    # The select offers the trainees' stores.
    assert '<option value="Central">Central</option>' in page
    assert '<option value="Harbour" selected>Harbour</option>' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "1y"}, "Select a valid choice. 1y is not one of the available choices."),
        ({"store": "Nowhere"}, "There is no trainee in the store Nowhere."),
        ({"store": "x" * 500}, "There is no trainee in the store"),
        ({"o": "password"}, "password is not a column the scoreboard can be sorted by."),
        ({"o": "-"}, "is not a column the scoreboard can be sorted by."),
        ({"format": "xlsx"}, "Select a valid choice."),
        ({"format": "csv", "period": "x"}, "Select a valid choice."),
    ],
)
def test_a_bad_filter_is_a_400_that_says_what_is_wrong(manager_client, league, query, message):
    response = manager_client.get(SCOREBOARD, query)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert 'id="scoreboard"' not in response.content.decode()


def test_the_csv_export_has_the_filtered_sorted_table(manager_client, league):
    page = manager_client.get(SCOREBOARD, {"period": "7d", "o": "-rounds"}).content.decode()
    assert 'href="?period=7d&amp;o=-rounds&amp;format=csv"' in page

    response = manager_client.get(SCOREBOARD, {"period": "7d", "o": "-rounds", "format": "csv"})

    rows = csv_rows(response)
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="scoreboard-7d-{today:%Y%m%d}.csv"'
    )
    assert list(rows[0]) == [
        "rank", "user_id", "username", "display_name", "store", "sessions", "rounds", "correct",
        "accuracy", "score", "ai_accuracy", "wins", "draws", "losses", "longest_streak",
        "last_activity",
    ]
    assert [row["username"] for row in rows] == ["alice", "bob", "carol"]
    alice = rows[0]
    assert {k: alice[k] for k in ("sessions", "rounds", "correct", "accuracy", "ai_accuracy")} == {
        "sessions": "2", "rounds": "6", "correct": "4", "accuracy": "0.6667",
        "ai_accuracy": "0.3333",
    }
    assert alice["last_activity"].startswith(str(today - timedelta(days=1)))
    assert rows[2]["accuracy"] == ""
    assert rows[2]["last_activity"] == ""


def test_the_csv_export_of_a_store_names_it_in_the_file(manager_client, league):
    response = manager_client.get(SCOREBOARD, {"store": "Harbour", "format": "csv"})

    assert [row["username"] for row in csv_rows(response)] == ["bob", "carol"]
    assert 'filename="scoreboard-all-harbour-' in response["Content-Disposition"]


def test_the_csv_export_defuses_spreadsheet_formulas(manager_client, league):
    UserFactory(username="eve", display_name="=HYPERLINK(\"http://x\")", store="+Evil")

    rows = csv_rows(manager_client.get(SCOREBOARD, {"format": "csv"}))

    eve = next(row for row in rows if row["username"] == "eve")
    assert eve["display_name"] == "'=HYPERLINK(\"http://x\")"
    assert eve["store"] == "'+Evil"


def test_the_scoreboard_query_count_does_not_grow_with_trainees(
    manager_client, league, version, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        assert manager_client.get(SCOREBOARD).status_code == 200
    for i in range(15):
        play(UserFactory(username=f"extra{i}", store=f"Shop {i}"), version, [(1, 0), (0, 1)])
    with django_assert_max_num_queries(8):
        assert len(board_rows(manager_client.get(SCOREBOARD))) == 18


# A trainee's page


def test_a_trainee_page_shows_every_round_with_the_ai_guess_and_confidence(
    manager_client, league
):
    response = manager_client.get(trainee_page(league["win"].user))

    page = response.content.decode()
    assert "Scoreboard: Alice" in page
    sessions = re.findall(r'id="session-(\d+)"', page)
    # Newest first: the draw (yesterday), the win (2 days ago), the loss (10 days ago).
    assert sessions == [str(league[k].pk) for k in ("draw", "win", "loss")]
    win = page[page.index(f'id="session-{league["win"].pk}"'):
               page.index(f'id="session-{league["loss"].pk}"')]
    assert "score 3 vs 1 (trainee vs AI): win" in win
    assert "AI: Botanist, model v1" in win
    rounds = Tables(f'<table id="t">{win.split("<table", 1)[1]}').tables["t"][1:]
    # round, 4 measurements, guess, species, correct?, AI guess, AI confidence, time taken
    # Species by their names in the manager's language, as on the trainee page.
    assert rounds[0] == [
        "1", "5.1", "3.5", "1.4", "0.2", "Iris setosa", "Iris setosa", "", "Iris setosa",
        "87.5%", "1.5 s",
    ]
    assert rounds[3] == [
        "4", "5.1", "3.5", "1.4", "0.2", "Iris virginica", "Iris setosa", "", "Iris versicolor",
        "87.5%", "6.0 s",
    ]
    assert win.count('alt="yes"') == 3
    assert win.count('alt="no"') == 1


def test_a_trainee_page_shows_the_stats_and_the_confusion_matrix(
    manager_client, league, trainee, version
):
    practise(trainee, version, species="versicolor", guess="virginica")

    response = manager_client.get(trainee_page(trainee))

    page = response.content.decode()
    assert re.search(r'id="stat-accuracy">50.0%<', page)
    assert re.search(r'id="stat-ai-accuracy">50.0%<', page)
    matrix = table(response, "confusion-matrix")
    assert matrix[1:] == [
        ["Iris setosa", "4", "0", "4"],
        ["Iris versicolor", "0", "0", "1"],  # the practice answer counts too
        ["Iris virginica", "0", "0", "0"],
    ]


def test_a_trainee_page_embeds_the_accuracy_chart_as_svg_with_text(
    manager_client, league, trainee
):
    page = manager_client.get(trainee_page(trainee)).content.decode()

    chart = re.search(r'<figure [^>]*id="accuracy-chart">\s*(<svg .*?</svg>)', page, re.S)
    assert chart
    svg = chart.group(1)
    assert 'role="img" aria-label="Alice vs the AI, per day"' in svg
    # Text stays text (the browser's fonts draw any language); no bitmap inside.
    assert ">Alice vs the AI, per day</text>" in svg
    assert "<image" not in svg


@pytest.mark.parametrize("name", ["$x^$", r"$\undefinedcmd$", "<b>&amp;</b>"])
def test_a_display_name_with_mathtext_or_markup_is_drawn_as_typed(manager_client, league, name):
    UserFactory._meta.model.objects.filter(username="alice").update(display_name=name)

    response = manager_client.get(trainee_page(league["win"].user))

    assert response.status_code == 200
    page = response.content.decode()
    escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert f">{escaped} vs the AI, per day</text>" in page
    assert "<b>" not in page


def test_a_trainee_without_rounds_has_a_page_without_a_chart(manager_client, league):
    carol = UserFactory._meta.model.objects.get(username="carol")

    response = manager_client.get(trainee_page(carol))

    page = response.content.decode()
    assert response.status_code == 200
    assert "data:image/png" not in page
    assert "No answered challenge rounds yet." in page
    assert "No challenge sessions yet." in page


def test_an_unknown_trainee_is_a_404(manager_client, league):
    url = reverse("admin:challenges_scoreboard_trainee", args=[10**9])

    assert manager_client.get(url).status_code == 404


def test_the_sessions_are_paginated(manager_client, trainee, version):
    for days_ago in range(12):
        play(trainee, version, [(1, 0)], days_ago=days_ago)

    first = manager_client.get(trainee_page(trainee)).content.decode()
    second = manager_client.get(trainee_page(trainee), {"page": 2}).content.decode()
    junk = manager_client.get(trainee_page(trainee), {"page": "x"})

    assert len(re.findall(r'id="session-\d+"', first)) == 10
    assert "Page 1 of 2 (12 sessions)." in first
    assert len(re.findall(r'id="session-\d+"', second)) == 2
    assert junk.status_code == 200


def test_the_trainee_page_query_count_does_not_grow_with_sessions_and_rounds(
    manager_client, trainee, version, django_assert_max_num_queries
):
    play(trainee, version, [(1, 0)], days_ago=40)
    with django_assert_max_num_queries(15):
        assert manager_client.get(trainee_page(trainee)).status_code == 200
    for days_ago in range(30):
        play(trainee, version, [(1, 0), (0, 1), (1, 1)] * 5, days_ago=days_ago)
        practise(trainee, version, species="virginica", guess="versicolor")
    with django_assert_max_num_queries(15):
        page = manager_client.get(trainee_page(trainee)).content.decode()
    assert len(re.findall(r'class="round"', page)) == 10 * 15


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
