from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from challenges.serializers import MeStatsSerializer


class TokenObtainInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, label=_("username"))
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"},
        label=_("password"),
    )


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    username = serializers.CharField()


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
