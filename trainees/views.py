from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.shortcuts import render
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from flower_power.api.throttling import ScopedRateThrottle
from flower_power.errors import ApplicationError
from trainees.serializers import (
    PingOutputSerializer,
    TokenObtainInputSerializer,
    TokenOutputSerializer,
)
from trainees.services import token_issue, token_revoke


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
        summary="Obtain an API token with a username and password",
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
        token = token_issue(user=user)
        return Response(TokenOutputSerializer({"token": token.key, "username": user.username}).data)

    @extend_schema(request=None, responses={204: None}, summary="Revoke your API token")
    def delete(self, request):
        token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PingApi(APIView):
    """Check a token or session: the cheapest authenticated call there is."""

    @extend_schema(responses={200: PingOutputSerializer}, summary="Check your credentials")
    def get(self, request):
        return Response({"ok": True, "username": request.user.get_username()})


@login_required
def home(request):
    return render(request, "home.html")
