"""A trainee's page in the admin: every round, the stats, the chart."""

import re

import pytest
from django.urls import reverse

from tests.challenges.admin.conftest import Tables, practise, table, trainee_page
from tests.challenges.conftest import play
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


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

