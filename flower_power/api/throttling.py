"""DRF's throttles, reading their rates when asked rather than once at import.

DRF binds DEFAULT_THROTTLE_RATES to the classes when they are first imported, so a rate
changed later (settings reloaded, a test's override) would silently not apply.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings


class _LiveRates:
    @property
    def THROTTLE_RATES(self):
        return api_settings.DEFAULT_THROTTLE_RATES


class AnonRateThrottle(_LiveRates, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_LiveRates, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(_LiveRates, throttling.ScopedRateThrottle):
    pass
