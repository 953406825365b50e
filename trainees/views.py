from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.shortcuts import render
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from challenges.selectors import PERIODS
from flower_power.api.throttling import ScopedRateThrottle
from flower_power.errors import ApplicationError
from ml.dataset import FEATURES, SPECIES
from ml.models import Level
from trainees.models import ApiToken
from trainees.selectors import api_tokens_live
from trainees.serializers import (
    PingOutputSerializer,
    TokenListItemSerializer,
    TokenObtainInputSerializer,
    TokenOutputSerializer,
    TokensRevokedSerializer,
)
from trainees.services import token_issue, token_revoke, token_revoke_all


class TokenApi(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    @extend_schema(
        request=TokenObtainInputSerializer,
        responses={200: TokenOutputSerializer},
        auth=[],
        summary="Obtain a new API token for one client with a username and password",
    )
    def post(self, request):
        serializer = TokenObtainInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The plain HttpRequest, not DRF's wrapper: django-axes marks a lockout on it, and
        # its middleware turns that mark into the 429 response.
        user = authenticate(
            request=request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            raise ApplicationError(
                _("Unable to log in with the username and password given."),
                code="invalid_credentials",
            )
        # A token login is a login: django-axes resets the failure count on this signal.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        token, raw = token_issue(user=user, name=serializer.validated_data.get("name", ""))
        return Response(TokenOutputSerializer({
            "token": raw, "username": user.username,
            "id": token.id, "name": token.name, "expiry": token.expiry,
        }).data)

    @extend_schema(request=None, responses={204: None}, summary="Revoke the token of this request")
    def delete(self, request):
        if not isinstance(request.auth, ApiToken):
            # A browser session carries no token: say so rather than revoke some other one.
            raise ApplicationError(
                _("This request carries no API token; revoke tokens by id at "
                  "/api/v1/auth/tokens/."),
                code="no_token",
            )
        token_revoke(user=request.user, token_id=request.auth.id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListApi(APIView):
    """Your API tokens: one per client or device."""

    @extend_schema(
        responses={200: TokenListItemSerializer(many=True)}, summary="List your API tokens",
    )
    def get(self, request):
        current = request.auth.id if isinstance(request.auth, ApiToken) else None
        return Response(TokenListItemSerializer(
            [
                {"id": token.id, "name": token.name, "created": token.created,
                 "expiry": token.expiry, "current": token.id == current, "scope": token.scope}
                for token in api_tokens_live(user=request.user)
            ],
            many=True,
        ).data)

    @extend_schema(
        request=None, responses={200: TokensRevokedSerializer},
        summary="Revoke all your API tokens",
    )
    def delete(self, request):
        return Response({"revoked": token_revoke_all(user=request.user)})


class TokenDetailApi(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Revoke one of your API tokens")
    def delete(self, request, token_id: int):
        token_revoke(user=request.user, token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PingApi(APIView):
    """Check a token or session: the cheapest authenticated call there is."""

    @extend_schema(responses={200: PingOutputSerializer}, summary="Check your credentials")
    def get(self, request):
        return Response({"ok": True, "username": request.user.get_username()})


@login_required
def home(request):
    # The domain's lists, handed to the page's scripts (data attributes) so they copy none.
    return render(request, "home.html", {"page": {
        "species": SPECIES, "features": FEATURES, "levels": Level.values,
        # Longest first, as the scoreboard's period menu lists them.
        "periods": list(reversed(PERIODS)),
    }})
