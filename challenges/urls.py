from django.urls import path

from challenges import views

api_urlpatterns = [
    path("me/", views.MeApi.as_view(), name="me"),
    path("me/progress/", views.MeProgressApi.as_view(), name="me-progress"),
    path("practice/", views.PracticeStartApi.as_view(), name="practice-start"),
    path(
        "practice/<int:attempt_id>/answer/", views.PracticeAnswerApi.as_view(),
        name="practice-answer",
    ),
    path("challenges/", views.ChallengeListCreateApi.as_view(), name="challenge-list"),
    path("challenges/options/", views.ChallengeOptionsApi.as_view(), name="challenge-options"),
    path("challenges/<int:session_id>/", views.ChallengeDetailApi.as_view(),
         name="challenge-detail"),
    path("challenges/<int:session_id>/give-up/", views.ChallengeGiveUpApi.as_view(),
         name="challenge-give-up"),
    path(
        "challenges/<int:session_id>/rounds/<int:index>/answer/",
        views.ChallengeRoundAnswerApi.as_view(), name="challenge-answer",
    ),
    path("scoreboard/", views.ScoreboardApi.as_view(), name="scoreboard"),
]
