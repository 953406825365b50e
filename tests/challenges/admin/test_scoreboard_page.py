"""The managers' scoreboard: numbers, sorting, filters and its CSV export."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.challenges.admin.conftest import SCOREBOARD, board_rows, csv_rows, trainee_page
from tests.challenges.conftest import play
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


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

