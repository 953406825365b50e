from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    OpenApiTypes,
    extend_schema,
)
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from challenges import selectors, services
from challenges.models import IDEMPOTENCY_KEY_MAX_LENGTH, ChallengeSession
from challenges.serializers import (
    AnswerOutputSerializer,
    ChallengeOptionsSerializer,
    ChallengeStartInputSerializer,
    GuessInputSerializer,
    MeStatsSerializer,
    PracticeAnswerOutputSerializer,
    PracticeOutputSerializer,
    ProgressSerializer,
    ScoreboardQuerySerializer,
    ScoreboardSerializer,
    SessionDetailSerializer,
    SessionSerializer,
)
from flower_power.api.filters import status_filterset
from flower_power.api.schema import may_conflict
from flower_power.api.throttling import ScopedRateThrottle
from flower_power.errors import ApplicationError
from trainees.serializers import MeDocumentedSerializer, MeOutputSerializer

_FEATURE_KEYS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
START_EXAMPLES = [
    OpenApiExample("Ten rounds against the Florist", request_only=True,
                   value={"rounds": 10, "level": "florist"}),
    OpenApiExample(
        "A new challenge", response_only=True, status_codes=["201"],
        value={
            "id": 12, "status": "active", "rounds_count": 2, "answered_count": 0,
            "score": {"trainee": 0, "ai": 0}, "outcome": None, "model_version": 3,
            "level": "florist", "level_name": "Florist",
            "created_at": "2026-05-04T09:30:00.000000Z", "finished_at": None,
            "rounds": [
                {"index": 1, "data": {"keys": _FEATURE_KEYS, "values": [6.7, 3.3, 5.7, 2.5]},
                 "answered": False},
                {"index": 2, "data": {"keys": _FEATURE_KEYS, "values": [5.1, 3.5, 1.4, 0.2]},
                 "answered": False},
            ],
        },
    ),
]
ANSWER_EXAMPLES = [
    OpenApiExample("Guess virginica", request_only=True, value={"guess": "virginica"}),
    OpenApiExample(
        "A right answer", response_only=True, status_codes=["200"],
        value={
            "round": 1, "correct_species": "virginica", "guess": "virginica", "correct": True,
            "ai_guess": "virginica", "ai_confidence": 0.9576, "ai_correct": True,
            "time_taken_ms": 5230, "score": {"trainee": 1, "ai": 1}, "answered": 1,
            "rounds": 2, "level": "florist", "finished": False, "outcome": None,
        },
    ),
]


class ScopedForPost:
    # Throttle POSTs under `post_throttle_scope`, counted across processes in the cache. (A
    # comment, not a docstring: drf-spectacular would show it to clients as a description.)

    post_throttle_scope = ""

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.request.method == "POST":
            self.throttle_scope = self.post_throttle_scope
            throttles.append(ScopedRateThrottle())
        return throttles


class PracticeStartApi(ScopedForPost, APIView):
    post_throttle_scope = "starts"

    @may_conflict
    @extend_schema(request=None, responses={201: PracticeOutputSerializer},
                   summary="Draw an unlabelled training flower to guess")
    def post(self, request):
        attempt = services.practice_attempt_start(user=request.user)
        return Response(PracticeOutputSerializer(attempt).data, status=status.HTTP_201_CREATED)


class PracticeAnswerApi(ScopedForPost, APIView):
    post_throttle_scope = "answers"

    @may_conflict
    @extend_schema(request=GuessInputSerializer, responses={200: PracticeAnswerOutputSerializer},
                   summary="Answer a practice flower; see the species and the AI's guess")
    def post(self, request, attempt_id: int):
        serializer = GuessInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.practice_attempt_answer(
            user=request.user, attempt_id=attempt_id, guess=serializer.validated_data["guess"]
        )
        return Response(result)


ChallengeFilter = status_filterset(
    ChallengeSession, rows="challenges", order_by=("id", "created_at"),
    ordering_help="Sort by id or created_at; `-` first for descending (default: newest first).",
)


class ChallengeListCreateApi(ScopedForPost, generics.ListAPIView):
    post_throttle_scope = "starts"
    serializer_class = SessionSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ChallengeFilter

    def get_serializer_class(self):
        # OPTIONS describes the POST input (DRF's metadata asks with a cloned POST request).
        if self.request is not None and self.request.method == "POST":
            return ChallengeStartInputSerializer
        return SessionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return ChallengeSession.objects.none()
        return selectors.challenge_sessions_listed(user=self.request.user)

    @may_conflict
    @extend_schema(request=ChallengeStartInputSerializer,
                   responses={201: SessionDetailSerializer},
                   examples=START_EXAMPLES,
                   summary="Start a challenge against an AI level",
                   description=(
                       "One open challenge at a time: while one is open this is a 409 "
                       "challenge_in_progress. The rounds are test flowers you have been shown "
                       "least often, so none repeats before you have seen them all."
                   ))
    def post(self, request):
        serializer = ChallengeStartInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.challenge_session_start(user=request.user, **serializer.validated_data)
        location = request.build_absolute_uri(
            reverse("challenge-detail", kwargs={"session_id": session.id})
        )
        return Response(
            SessionDetailSerializer(session).data, status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )


class ChallengeOptionsApi(APIView):
    @extend_schema(responses={200: ChallengeOptionsSerializer},
                   summary="The AI levels, round limits and your open challenge")
    def get(self, request):
        return Response(selectors.challenge_options(user=request.user))


class ChallengeGiveUpApi(ScopedForPost, APIView):
    post_throttle_scope = "answers"

    @may_conflict
    @extend_schema(summary="Give up an open challenge: the rounds left count as wrong",
                   request=None, responses={200: SessionDetailSerializer})
    def post(self, request, session_id: int):
        services.challenge_session_give_up(user=request.user, session_id=session_id)
        session = selectors.challenge_session_detail(user=request.user, session_id=session_id)
        return Response(SessionDetailSerializer(session).data)


class ChallengeDetailApi(APIView):
    @extend_schema(responses={200: SessionDetailSerializer}, summary="One of your challenges")
    def get(self, request, session_id: int):
        session = selectors.challenge_session_detail(user=request.user, session_id=session_id)
        return Response(SessionDetailSerializer(session).data)


class ChallengeRoundAnswerApi(ScopedForPost, APIView):
    post_throttle_scope = "answers"

    @may_conflict
    @extend_schema(
        request=GuessInputSerializer,
        responses={200: AnswerOutputSerializer},
        examples=ANSWER_EXAMPLES,
        parameters=[OpenApiParameter(
            "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER,
            description="A retry with the same key returns the first answer's response.",
        )],
        summary="Answer a round (once); reveals the species and the AI's guess",
    )
    def post(self, request, session_id: int, index: int):
        serializer = GuessInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key", "")
        if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
            raise ApplicationError(
                _("Idempotency-Key: at most %(n)d characters.") % {"n": IDEMPOTENCY_KEY_MAX_LENGTH},
                fields={"Idempotency-Key": [_("Too long.")]},
            )
        result, replayed = services.challenge_round_answer(
            user=request.user, session_id=session_id, index=index,
            guess=serializer.validated_data["guess"], idempotency_key=key,
        )
        return Response(result, headers={"Idempotent-Replayed": "true"} if replayed else None)


class ScoreboardApi(APIView):
    @extend_schema(
        parameters=[
            ScoreboardQuerySerializer,
            OpenApiParameter(
                "If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
                description="The ETag of the board you have (weak or strong, or `*`): "
                "unchanged, the answer is an empty 304.",
            ),
        ],
        responses={
            200: OpenApiResponse(ScoreboardSerializer, description="The board, with its ETag."),
            304: OpenApiResponse(description="Not modified since the ETag you sent."),
        },
        summary="The scoreboard; poll it with If-None-Match",
        description="Answers carry `ETag` and `Cache-Control: private, no-cache`; send the ETag "
        "back in `If-None-Match` to get a 304 while nothing changed (it costs no database work).",
    )
    def get(self, request):
        # A plain dict: DRF reads a QueryDict's `period=` as "not given"; it is a bad period.
        query = ScoreboardQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        etag, board = selectors.scoreboard_cached(
            period=query.validated_data["period"], store=query.validated_data.get("store") or None
        )
        etag = f'"{etag}"'
        # RFC 9110's weak comparison and `*` (a compressing proxy makes the ETag weak).
        response = get_conditional_response(request, etag=etag) or Response(board)
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        return response


class MeProgressApi(APIView):
    @extend_schema(responses={200: ProgressSerializer}, summary="Your progress against the AI")
    def get(self, request):
        return Response(ProgressSerializer(selectors.trainee_progress(user=request.user)).data)


class MeApi(APIView):
    @extend_schema(responses={200: MeDocumentedSerializer},
                   summary="Your profile and your stats")
    def get(self, request):
        body = MeOutputSerializer(request.user).data
        body["stats"] = MeStatsSerializer(selectors.trainee_stats(user=request.user)).data
        return Response(body)
