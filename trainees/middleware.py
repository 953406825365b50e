"""Per-address rate limit on the HTML login pages (/accounts/login/ and /admin/login/).

django-axes locks a username on an address after a few failures; this bounds how many
usernames one address may try (password spraying), with the same budget and counter as the
token endpoint (flower_power.api.throttling.LoginRateThrottle).
"""

import math

from django.shortcuts import render
from django.utils.deprecation import MiddlewareMixin

from flower_power.api.throttling import LoginRateThrottle

LOGIN_VIEWS = frozenset({"login", "admin:login"})


class LoginThrottleMiddleware(MiddlewareMixin):
    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method != "POST" or match is None or match.view_name not in LOGIN_VIEWS:
            return None
        throttle = LoginRateThrottle()
        if throttle.allow_request(request, None):
            return None
        retry_after = max(1, math.ceil(throttle.wait()))
        response = render(
            request, "registration/throttled.html", {"retry_after": retry_after}, status=429
        )
        response["Retry-After"] = str(retry_after)
        return response
