"""A fair scoreboard: a minimum of rounds to be ranked, a score that accounts for how many were
played, walking away never improves a score; and a trainee's own progress."""

from datetime import timedelta

import pytest
from django.utils import timezone

from challenges.models import ChallengeRound, ChallengeSession
from challenges.selectors import scoreboard, wilson_lower_bound
from challenges.services import challenge_sessions_abandon
from tests.challenges.conftest import play
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def row(board, username):
    return next(r for r in board["trainees"] if r["username"] == username)


def test_the_wilson_lower_bound_ranks_one_lucky_answer_below_a_solid_record():
    assert wilson_lower_bound(1, 1) < wilson_lower_bound(8, 10) < wilson_lower_bound(80, 100)
    assert wilson_lower_bound(0, 0) is None
    assert wilson_lower_bound(10, 10) < 1.0
    # The textbook value for 8 of 10 at 95%.
    assert wilson_lower_bound(8, 10) == pytest.approx(0.4902, abs=1e-4)


def test_only_trainees_with_the_minimum_of_rounds_are_ranked(trainee, other_trainee,
                                                             active_version, settings):
    settings.SCOREBOARD_MIN_ROUNDS = 10
    play(trainee, active_version, [(1, 1)] * 8 + [(0, 1)] * 2)   # 8 of 10
    play(other_trainee, active_version, [(1, 1)])                # 1 of 1
    carol = UserFactory(username="carol")
    play(carol, active_version, [(1, 1)] * 9 + [(0, 1)] * 3)     # 9 of 12

    board = scoreboard(period="all")

    assert [r["username"] for r in board["trainees"]] == ["alice", "carol", "bob"]
    alice, carol_row, bob = board["trainees"]
    assert (alice["rank"], alice["ranked"], alice["score"]) == (1, True, 0.4902)
    assert (carol_row["rank"], carol_row["ranked"]) == (2, True)
    assert (bob["rank"], bob["ranked"], bob["rounds_to_rank"]) == (None, False, 9)
    assert bob["unranked_reason"] == "9 more challenge rounds to be ranked"
    assert board["min_rounds"] == 10


def test_equal_scores_share_a_rank_and_wins_break_ties(trainee, other_trainee,
                                                       active_version, settings):
    settings.SCOREBOARD_MIN_ROUNDS = 2
    carol = UserFactory(username="carol")
    # Alice and Bob both 2 of 2; Alice won her session against a weaker AI, Bob drew.
    play(trainee, active_version, [(1, 0), (1, 1)])
    play(other_trainee, active_version, [(1, 1), (1, 1)])
    play(carol, active_version, [(1, 1), (1, 1)])

    board = scoreboard(period="all")

    assert [(r["username"], r["rank"]) for r in board["trainees"]] == [
        ("alice", 1), ("bob", 2), ("carol", 2),
    ]


def test_the_score_a_board_ranks_by_equals_the_wilson_bound_of_counted_rounds(
    trainee, active_version, settings
):
    settings.SCOREBOARD_MIN_ROUNDS = 1
    play(trainee, active_version, [(1, 1)] * 7 + [(0, 0)] * 3)

    assert row(scoreboard(period="all"), "alice")["score"] == wilson_lower_bound(7, 10)


def walk_away(session, minutes_ago):
    ChallengeSession.objects.filter(id=session.id).update(
        last_activity_at=timezone.now() - timedelta(minutes=minutes_ago)
    )


@pytest.mark.parametrize("how", ["given up", "abandoned by the task", "left idle"])
def test_walking_away_never_improves_a_score(trainee, other_trainee, active_version,
                                             settings, how):
    """Alice stops after 3 right answers of 10; Bob plays on and gets the other 7 wrong."""
    idle = settings.CHALLENGE_ABANDON_AFTER_MINUTES + 1
    alice = play(trainee, active_version, [(1, 1)] * 3, status="active")
    ChallengeSession.objects.filter(id=alice.id).update(rounds_count=10)
    bob = play(other_trainee, active_version, [(1, 1)] * 3 + [(0, 1)] * 7)
    # Alice's 7 rounds left, never answered; the AI's stored guesses are right, as on Bob's.
    last = ChallengeRound.objects.filter(session=alice).order_by("-index").first()
    ChallengeRound.objects.bulk_create(
        ChallengeRound(
            session=alice, index=index, sepal_length=5.1, sepal_width=3.5, petal_length=1.4,
            petal_width=0.2, species="setosa", ai_guess="setosa", ai_confidence=0.9,
        )
        for index in range(last.index + 1, 11)
    )
    walk_away(alice, idle)
    if how == "given up":
        ChallengeSession.objects.filter(id=alice.id).update(status="abandoned")
    elif how == "abandoned by the task":
        assert challenge_sessions_abandon() == 1

    board = scoreboard(period="all")
    a, b = row(board, "alice"), row(board, "bob")

    assert (a["rounds"], a["correct"], a["accuracy"]) == (b["rounds"], b["correct"], 0.3)
    assert a["ai_accuracy"] == b["ai_accuracy"] == 1.0
    assert (a["losses"], a["wins"], a["draws"]) == (1, 0, 0) == (b["losses"], b["wins"], b["draws"])
    assert bob.outcome == "loss"


def test_an_open_challenge_counts_only_its_answered_rounds_while_it_is_played(
    trainee, active_version
):
    session = play(trainee, active_version, [(1, 1)] * 2, status="active")
    ChallengeSession.objects.filter(id=session.id).update(rounds_count=10)

    alice = row(scoreboard(period="all"), "alice")

    assert (alice["rounds"], alice["correct"], alice["losses"]) == (2, 2, 0)


def test_the_scoreboard_shows_the_outcomes_per_level(trainee, active_version):
    play(trainee, active_version, [(1, 0)])
    florist = play(trainee, active_version, [(0, 1)])
    ChallengeSession.objects.filter(id=florist.id).update(level="florist")

    levels = row(scoreboard(period="all"), "alice")["levels"]

    assert levels["botanist"] == {"sessions": 1, "wins": 1, "draws": 0, "losses": 0}
    assert levels["florist"] == {"sessions": 1, "wins": 0, "draws": 0, "losses": 1}
    assert levels["apprentice"] == {"sessions": 0, "wins": 0, "draws": 0, "losses": 0}


# My progress


def test_my_progress_shows_sessions_mastery_confusions_and_the_gap_to_the_next_place(
    trainee, other_trainee, trainee_api, active_version, settings
):
    settings.SCOREBOARD_MIN_ROUNDS = 4
    # Alice: setosa rounds; "wrong" means she said virginica (see play()).
    play(trainee, active_version, [(1, 0), (1, 1), (0, 1), (1, 1)], days_ago=2)
    play(trainee, active_version, [(0, 1), (1, 0)], days_ago=1)
    play(other_trainee, active_version, [(1, 1)] * 6)

    body = trainee_api.get("/api/v1/me/progress/").json()

    assert [(s["rounds"], s["accuracy"], s["ai_accuracy"], s["outcome"]) for s in
            body["history"]] == [(4, 0.75, 0.75, "draw"), (2, 0.5, 0.5, "draw")]
    assert body["history"][0]["level"] == "botanist"
    setosa = next(m for m in body["mastery"] if m["species"] == "setosa")
    assert (setosa["answered"], setosa["correct"], setosa["accuracy"]) == (6, 4, 0.6667)
    assert body["confusions"] == [
        {"species": "setosa", "mistaken_for": "virginica", "count": 2}
    ]
    rank = body["rank"]
    assert (rank["rank"], rank["ranked_count"], rank["rounds"]) == (2, 2, 6)
    assert rank["next"]["display_name"] == "Bob"
    assert rank["next"]["gap"] == pytest.approx(
        wilson_lower_bound(6, 6) - wilson_lower_bound(4, 6), abs=1e-4
    )
    assert body["practice"]["weights"] == {"setosa": 1, "versicolor": 1, "virginica": 1}


def test_progress_before_playing_is_empty_and_says_how_far_the_ranking_is(
    trainee_api, active_version, settings
):
    settings.SCOREBOARD_MIN_ROUNDS = 10

    body = trainee_api.get("/api/v1/me/progress/").json()

    assert (body["history"], body["confusions"]) == ([], [])
    assert body["rank"]["rank"] is None
    assert body["rank"]["rounds_to_rank"] == 10


def test_progress_is_for_logged_in_users_only(anon):
    assert anon.get("/api/v1/me/progress/").status_code == 401
