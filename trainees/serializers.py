from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from challenges.serializers import MeStatsSerializer
from trainees.models import ApiToken


class TokenObtainInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, label=_("username"))
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"},
        label=_("password"),
    )
    name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, label=_("name"),
        help_text=_("The client or device this token is for, e.g. \"shop laptop\"."),
    )


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("The token itself: shown this once only."))
    username = serializers.CharField()
    id = serializers.IntegerField()
    name = serializers.CharField()
    expiry = serializers.DateTimeField(
        allow_null=True, help_text=_("When the token stops working (null: never)."))


class TokenListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)
    current = serializers.BooleanField(help_text=_("Whether this request used this token."))
    scope = serializers.ChoiceField(
        choices=ApiToken.Scope.choices, read_only=True,
        help_text=_("Where it authenticates: api, the API; metrics, only GET /metrics."))


class TokensRevokedSerializer(serializers.Serializer):
    revoked = serializers.IntegerField(help_text=_("How many tokens were revoked."))


class MeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField(source="shown_name")
    store = serializers.CharField()
    is_manager = serializers.BooleanField()
    date_joined = serializers.DateTimeField()


@extend_schema_serializer(component_name="MeOutput")
class MeDocumentedSerializer(MeOutputSerializer):
    # GET /api/v1/me/ as documented: the profile (MeOutputSerializer) plus the stats the view
    # adds from challenges.selectors.trainee_stats.
    stats = MeStatsSerializer(help_text=_("Your results against the AI and in practice."))


class PingOutputSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    username = serializers.CharField()
