"""The MIDDLEWARE setting: the order matters, and each place says why."""


def middleware(*, metrics_enabled: bool) -> list[str]:
    return [
        # Outermost: every response carries X-Request-ID, every log line the request causes
        # names it, and its one JSON line per request (the access log) times the whole stack.
        "flower_power.request_id.RequestIdMiddleware",
        # Request count and latency by route, method and status (Prometheus).
        *(["flower_power.metrics.middleware.RequestMetricsMiddleware"] if metrics_enabled else []),
        # Then: X-Forwarded-* headers from anyone but a TRUSTED_PROXIES peer are dropped before
        # anything (SecurityMiddleware's SECURE_PROXY_SSL_HEADER) reads them.
        "flower_power.client_ip.ForwardedHeadersMiddleware",
        "django.middleware.security.SecurityMiddleware",
        # Content-Security-Policy (CONTENT_SECURITY_POLICY) and Permissions-Policy.
        "flower_power.security_headers.PageCSPMiddleware",
        "flower_power.security_headers.PermissionsPolicyMiddleware",
        # The API's shared HTTP behaviour (flower_power/api/middleware.py): JSON-only gzip
        # (never HTML, BREACH), 413 for bodies over REQUEST_BODY_MAX_BYTES, 308 to the slashed
        # path.
        "flower_power.api.middleware.JsonGZipMiddleware",
        "flower_power.api.middleware.RequestBodyLimitMiddleware",
        "flower_power.api.middleware.ApiTrailingSlashMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        # Per-address limit on POSTs to /accounts/login/ and /admin/login/ (a 429 page).
        "trainees.middleware.LoginThrottleMiddleware",
        # Unknown query parameters are a 400 naming them (the OpenAPI schema lists what is read).
        "flower_power.api.middleware.KnownQueryParametersMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        # Last, as django-axes requires: it turns a lockout flagged during the view into a
        # response.
        "axes.middleware.AxesMiddleware",
    ]
