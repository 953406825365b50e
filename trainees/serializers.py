from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


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


class PingOutputSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    username = serializers.CharField()
