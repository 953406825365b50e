
import pytest

from challenges.models import ChallengeSession
from challenges.selectors import scoreboard
from tests.challenges.conftest import play
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def league(trainee, other_trainee, manager, active_version):
    v = active_version
    # Alice: a win (3-1), a draw (1-1), and an old loss (0-2) 10 days ago.
    play(trainee, v, [(1, 1), (1, 0), (1, 0), (0, 0)], days_ago=2)  # 3 vs 1: win
    play(trainee, v, [(1, 0), (0, 1)], days_ago=1)                # 1 vs 1: draw
    play(trainee, v, [(0, 1), (0, 1)], days_ago=10)              # 0 vs 2: loss
    # Bob: one unfinished session with 2 of 3 rounds answered, both right.
    bob = play(other_trainee, v, [(1, 1), (1, 1)], status="active")
    ChallengeSession.objects.filter(id=bob.id).update(rounds_count=3)
    # Managers play too, but are not on the trainees' scoreboard.
    play(manager, v, [(1, 1)])
    UserFactory(username="carol", store="Harbour")               # never played


def row(board, username):
    return next(r for r in board["trainees"] if r["username"] == username)


def test_scoreboard_numbers_equal_hand_computed_ones(league):
    board = scoreboard(period="all")
    alice = row(board, "alice")
    assert (alice["sessions"], alice["rounds"], alice["correct"]) == (3, 8, 4)
    assert alice["accuracy"] == 0.5
    assert alice["ai_accuracy"] == 0.5  # 1 + 1 + 2 of 8
    assert (alice["wins"], alice["draws"], alice["losses"]) == (1, 1, 1)
    # In answer order: old loss F F, then T T T F, then T F -> longest run 3.
    assert alice["longest_streak"] == 3
    bob = row(board, "bob")
    assert (bob["sessions"], bob["rounds"], bob["accuracy"], bob["ai_accuracy"]) == (1, 2, 1.0, 1.0)
    assert (bob["wins"], bob["draws"], bob["losses"]) == (0, 0, 0)
    assert bob["longest_streak"] == 2
    carol = row(board, "carol")
    assert (carol["rounds"], carol["accuracy"], carol["longest_streak"]) == (0, None, 0)
    assert "mina" not in [r["username"] for r in board["trainees"]]
    assert board["ai"] == {"rounds": 10, "accuracy": 0.6}
    # Nobody has the 10 rounds to be ranked yet: most rounds first.
    assert [r["username"] for r in board["trainees"]] == ["alice", "bob", "carol"]
    assert [r["rank"] for r in board["trainees"]] == [None, None, None]
    assert [r["rounds_to_rank"] for r in board["trainees"]] == [2, 8, 10]


def test_the_period_filter_drops_old_rounds(league):
    alice = row(scoreboard(period="7d"), "alice")
    assert (alice["sessions"], alice["rounds"], alice["correct"]) == (2, 6, 4)
    assert (alice["wins"], alice["draws"], alice["losses"]) == (1, 1, 0)
    assert alice["longest_streak"] == 3


def test_the_store_filter(league):
    board = scoreboard(period="all", store="Harbour")
    assert sorted(r["username"] for r in board["trainees"]) == ["bob", "carol"]
    assert board["ai"]["rounds"] == 2


def test_the_scoreboard_query_count_does_not_grow_with_trainees(
    league, active_version, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        scoreboard(period="all")
    for i in range(20):
        play(UserFactory(username=f"extra{i}"), active_version, [(1, 0), (0, 1)])
    with django_assert_max_num_queries(4):
        assert len(scoreboard(period="all")["trainees"]) == 23


def test_the_api_serves_it_with_an_etag_and_304(trainee_api, league):
    first = trainee_api.get("/api/v1/scoreboard/")
    assert first.status_code == 200
    etag = first["ETag"]
    assert row(first.json(), "alice")["wins"] == 1
    again = trainee_api.get("/api/v1/scoreboard/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert trainee_api.get("/api/v1/scoreboard/?period=7d", HTTP_IF_NONE_MATCH=etag
                           ).status_code == 200


def test_an_answer_changes_the_etag(
    trainee_api, league, active_version, django_capture_on_commit_callbacks, settings
):
    settings.SCOREBOARD_MAX_STALENESS_SECONDS = 0
    etag = trainee_api.get("/api/v1/scoreboard/")["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        sid = trainee_api.post("/api/v1/challenges/", {"rounds": 1}).json()["id"]
        trainee_api.post(f"/api/v1/challenges/{sid}/rounds/1/answer/", {"guess": "setosa"})
    response = trainee_api.get("/api/v1/scoreboard/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert row(response.json(), "alice")["sessions"] == 4


@pytest.mark.parametrize("query", ["period=1y", "period=all&period=x", "store=" + "x" * 81])
def test_bad_filters_are_400(trainee_api, league, query):
    assert trainee_api.get(f"/api/v1/scoreboard/?{query}").status_code == 400


def test_me_has_personal_stats_and_confusion(trainee_api, league):
    body = trainee_api.get("/api/v1/me/").json()
    stats = body["stats"]
    assert body["username"] == "alice"
    assert (stats["rounds"], stats["correct"], stats["wins"], stats["longest_streak"]) == (
        8, 4, 1, 3
    )
    confusion = stats["confusion"]["matrix"]
    assert confusion["setosa"]["setosa"] == 4
    assert confusion["setosa"]["virginica"] == 4
    assert confusion["versicolor"] == {"setosa": 0, "versicolor": 0, "virginica": 0}


def test_after_a_cache_flush_the_board_is_computed_afresh(
    trainee_api, trainee, league, active_version, settings
):
    from django.core.cache import cache

    from challenges.services import SCOREBOARD_VERSION_KEY

    settings.SCOREBOARD_MAX_STALENESS_SECONDS = 0
    etag = trainee_api.get("/api/v1/scoreboard/")["ETag"]
    # A change whose new version a flush, an eviction or a Redis restart lost.
    play(trainee, active_version, [(1, 1)])
    cache.delete(SCOREBOARD_VERSION_KEY)
    response = trainee_api.get("/api/v1/scoreboard/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert row(response.json(), "alice")["sessions"] == 4


def test_a_board_computed_seconds_ago_is_served_while_answers_come_in(
    trainee_api, league, active_version, django_capture_on_commit_callbacks, settings,
    django_assert_max_num_queries,
):
    settings.SCOREBOARD_MAX_STALENESS_SECONDS = 60
    first = trainee_api.get("/api/v1/scoreboard/")
    with django_capture_on_commit_callbacks(execute=True):
        sid = trainee_api.post("/api/v1/challenges/", {"rounds": 1}).json()["id"]
        trainee_api.post(f"/api/v1/challenges/{sid}/rounds/1/answer/", {"guess": "setosa"})
    with django_assert_max_num_queries(2):  # the token lookup, nothing of the board
        again = trainee_api.get("/api/v1/scoreboard/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    settings.SCOREBOARD_MAX_STALENESS_SECONDS = 0
    fresh = trainee_api.get("/api/v1/scoreboard/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert fresh.status_code == 200
    assert row(fresh.json(), "alice")["sessions"] == 4
