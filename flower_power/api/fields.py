"""Serializer fields stricter than DRF's own."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only: DRF's IntegerField also takes "5", 2.0 and true, which a client
    sending them almost certainly did not mean, and which the schema says are not integers."""

    default_error_messages = {
        "invalid": _("A whole number is required, e.g. 5 (not \"5\" or 5.0).")
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)
