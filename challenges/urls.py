from django.urls import path

from challenges import views

# Route, view, name: a trainee's own data, practice, challenges and the scoreboard.
ROUTES = (
    ("me/", views.MeApi, "me"),
    ("me/progress/", views.MeProgressApi, "me-progress"),
    ("practice/", views.PracticeStartApi, "practice-start"),
    ("practice/<int:attempt_id>/answer/", views.PracticeAnswerApi, "practice-answer"),
    ("challenges/", views.ChallengeListCreateApi, "challenge-list"),
    ("challenges/options/", views.ChallengeOptionsApi, "challenge-options"),
    ("challenges/<int:session_id>/", views.ChallengeDetailApi, "challenge-detail"),
    ("challenges/<int:session_id>/give-up/", views.ChallengeGiveUpApi, "challenge-give-up"),
    (
        "challenges/<int:session_id>/rounds/<int:index>/answer/",
        views.ChallengeRoundAnswerApi, "challenge-answer",
    ),
    ("scoreboard/", views.ScoreboardApi, "scoreboard"),
)

api_urlpatterns = [path(route, view.as_view(), name=name) for route, view, name in ROUTES]
