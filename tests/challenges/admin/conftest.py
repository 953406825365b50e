"""The challenges admin: the managers' scoreboard, a page per trainee, and read-only records."""

import csv
import io
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges.models import ChallengeSession, PracticeAttempt
from tests.challenges.conftest import play
from tests.factories import ModelVersionFactory, UserFactory

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
    return ModelVersionFactory(number=1, is_active=True, trigger="bootstrap")


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
