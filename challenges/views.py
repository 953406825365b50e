import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from challenges import selectors, services
from challenges.models import ChallengeSession
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
from flower_power.api.throttling import ScopedRateThrottle
from flower_power.errors import NotFound
from trainees.serializers import MeOutputSerializer


class ScopedForPost:
    """Throttle POSTs under `post_throttle_scope`, counted across processes in the cache."""

    post_throttle_scope = ""

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.request.method == "POST":
            self.throttle_scope = self.post_throttle_scope
            throttles.append(ScopedRateThrottle())
        return throttles


class PracticeStartApi(ScopedForPost, APIView):
    post_throttle_scope = "starts"

    @extend_schema(request=None, responses={201: PracticeOutputSerializer},
                   summary="Draw an unlabelled training flower to guess")
    def post(self, request):
        attempt = services.practice_attempt_start(user=request.user)
        return Response(PracticeOutputSerializer(attempt).data, status=status.HTTP_201_CREATED)


class PracticeAnswerApi(ScopedForPost, APIView):
    post_throttle_scope = "answers"

    @extend_schema(request=GuessInputSerializer, responses={200: PracticeAnswerOutputSerializer},
                   summary="Answer a practice flower; see the species and the AI's guess")
    def post(self, request, attempt_id: int):
        serializer = GuessInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.practice_attempt_answer(
            user=request.user, attempt_id=attempt_id, guess=serializer.validated_data["guess"]
        )
        return Response(result)


class ChallengeListCreateApi(ScopedForPost, generics.ListAPIView):
    post_throttle_scope = "starts"
    serializer_class = SessionSerializer

    def get_queryset(self):
        return ChallengeSession.objects.filter(user=self.request.user).select_related(
            "model_version"
        ).defer("model_version__tflite", "model_version__keras")

    @extend_schema(request=ChallengeStartInputSerializer,
                   responses={201: SessionDetailSerializer},
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
        return Response(SessionDetailSerializer(session).data, status=status.HTTP_201_CREATED)


class ChallengeOptionsApi(APIView):
    @extend_schema(responses={200: ChallengeOptionsSerializer},
                   summary="The AI levels, round limits and your open challenge")
    def get(self, request):
        return Response(selectors.challenge_options(
            user=request.user, max_rounds=services.MAX_ROUNDS,
            default_rounds=services.DEFAULT_ROUNDS, default_level=services.DEFAULT_LEVEL,
        ))


class ChallengeGiveUpApi(ScopedForPost, APIView):
    post_throttle_scope = "answers"

    @extend_schema(request=None, responses={200: SessionDetailSerializer},
                   summary="Give up an open challenge: the rounds left count as wrong")
    def post(self, request, session_id: int):
        services.challenge_session_give_up(user=request.user, session_id=session_id)
        return Response(session_detail(user=request.user, session_id=session_id))


def session_detail(*, user, session_id: int) -> dict:
    session = (
        ChallengeSession.objects.filter(id=session_id, user=user)
        .select_related("model_version").defer("model_version__tflite", "model_version__keras")
        .prefetch_related("rounds")
        .first()
    )
    if session is None:
        raise NotFound(_("No such challenge."))
    return SessionDetailSerializer(session).data


class ChallengeDetailApi(APIView):
    @extend_schema(responses={200: SessionDetailSerializer}, summary="One of your challenges")
    def get(self, request, session_id: int):
        return Response(session_detail(user=request.user, session_id=session_id))


class ChallengeRoundAnswerApi(ScopedForPost, APIView):
    post_throttle_scope = "answers"

    @extend_schema(
        request=GuessInputSerializer,
        responses={200: AnswerOutputSerializer},
        parameters=[OpenApiParameter(
            "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER,
            description="A retry with the same key returns the first answer's response.",
        )],
        summary="Answer a round (once); reveals the species and the AI's guess",
    )
    def post(self, request, session_id: int, index: int):
        serializer = GuessInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.challenge_round_answer(
            user=request.user, session_id=session_id, index=index,
            guess=serializer.validated_data["guess"],
            idempotency_key=request.headers.get("Idempotency-Key", "")[:128],
        )
        return Response(result)


class ScoreboardApi(APIView):
    @extend_schema(
        parameters=[ScoreboardQuerySerializer],
        responses={200: ScoreboardSerializer, 304: None},
        summary="The scoreboard; poll it with If-None-Match",
    )
    def get(self, request):
        # A plain dict: DRF reads a QueryDict's `period=` as "not given"; it is a bad period.
        query = ScoreboardQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        period = query.validated_data["period"]
        store = query.validated_data.get("store") or None
        version = cache.get(services.SCOREBOARD_VERSION_KEY)
        if version is None:
            cache.add(
                services.SCOREBOARD_VERSION_KEY, services.scoreboard_version_seed(), timeout=None
            )
            version = cache.get(services.SCOREBOARD_VERSION_KEY)
        if version is None:
            # No cache (Redis down): compute, and let the body itself be the ETag.
            body = selectors.scoreboard(period=period, store=store)
            etag = hashlib.sha256(repr(body).encode()).hexdigest()[:32]
        else:
            # A period's window slides with time: such views also change every minute.
            bucket = "" if period == "all" else str(int(time.time() // 60))
            view_key = f"scoreboard:latest:{period}|{store}|{translation.get_language()}|{bucket}"
            latest = cache.get(view_key)  # (version, computed at, etag, body)
            # While people play, every answer moves the version: serving what was computed
            # in the last few seconds keeps a room full of pollers from recomputing the
            # board for each answer. Pages still see a change within ~5 s (3 s polls).
            if latest is not None and (
                latest[0] == version
                or time.time() - latest[1] < settings.SCOREBOARD_MAX_STALENESS_SECONDS
            ):
                _version, _at, etag, body = latest
            else:
                etag = hashlib.sha256(f"{version}|{view_key}".encode()).hexdigest()[:32]
                body = None
        quoted = f'"{etag}"'
        headers = {"ETag": quoted, "Cache-Control": "private, no-cache"}
        if quoted in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        if body is None:
            body = selectors.scoreboard(period=period, store=store)
            cache.set(view_key, (version, time.time(), etag, body), timeout=300)
        return Response(body, headers=headers)


class MeProgressApi(APIView):
    @extend_schema(responses={200: ProgressSerializer}, summary="Your progress against the AI")
    def get(self, request):
        return Response(ProgressSerializer(selectors.trainee_progress(user=request.user)).data)


class MeApi(APIView):
    @extend_schema(responses={200: MeOutputSerializer}, summary="Your profile and your stats")
    def get(self, request):
        body = MeOutputSerializer(request.user).data
        body["stats"] = MeStatsSerializer(selectors.trainee_stats(user=request.user)).data
        return Response(body)
