"""Django REST framework and drf-spectacular settings (settings.py: REST_FRAMEWORK, ...)."""

from flower_power.env import env_str


def rest_framework(*, debug: bool) -> dict:
    return {
        # Token first: an anonymous call then gets 401 with WWW-Authenticate, not 403.
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "flower_power.api.authentication.CachedTokenAuthentication",
            "rest_framework.authentication.SessionAuthentication",
        ],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
        "DEFAULT_RENDERER_CLASSES": ["flower_power.api.renderers.FastJSONRenderer"]
        + (["rest_framework.renderers.BrowsableAPIRenderer"] if debug else []),
        "DEFAULT_PARSER_CLASSES": ["flower_power.api.parsers.StrictJSONParser"],
        "DEFAULT_PAGINATION_CLASS": "flower_power.api.pagination.BoundedPageNumberPagination",
        "PAGE_SIZE": 20,
        "DEFAULT_THROTTLE_CLASSES": [
            "flower_power.api.throttling.AnonRateThrottle",
            "flower_power.api.throttling.UserRateThrottle",
        ],
        "DEFAULT_THROTTLE_RATES": {
            "anon": env_str("THROTTLE_ANON", "60/min"),
            "user": env_str("THROTTLE_USER", "6000/min"),
            # Rows predicted per user (flower_power/api/throttling.py RowsRateThrottle): a batch
            # costs its rows, so 10,000-row batches cannot crowd everyone else out.
            "rows": env_str("THROTTLE_ROWS", "300000/min"),
            "auth": env_str("THROTTLE_AUTH", "20/min"),
            "answers": env_str("THROTTLE_ANSWERS", "120/min"),
            "starts": env_str("THROTTLE_STARTS", "30/min"),
            "retrain": env_str("THROTTLE_RETRAIN", "10/hour"),
        },
        "EXCEPTION_HANDLER": "flower_power.api.errors.exception_handler",
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        "TEST_REQUEST_DEFAULT_FORMAT": "json",
        "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    }


SPECTACULAR_SETTINGS = {
    "TITLE": "Flower Power API",
    "DESCRIPTION": (
        "Iris training, challenges against the AI, scoreboard and predictions.\n\n"
        "Authenticate with `Authorization: Token <key>` (or `Bearer <key>`) from "
        "`POST /api/v1/auth/token/`; list and revoke your tokens at `/api/v1/auth/tokens/`. "
        "Paths under /api/ end with `/`; without it the answer is a 308 to the slashed path "
        "(same method). Errors are `{\"error\": {\"code\", \"message\", \"fields\"}}`; "
        "timestamps are UTC ISO 8601 with `Z`; JSON of 1 KiB or more is gzipped for clients "
        "sending `Accept-Encoding: gzip`."
    ),
    # One version string: the project's (pyproject.toml, set by
    # flower_power.api.schema_names), the one GET /v2 serves.
    "VERSION": None,
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge fetched from validator.swagger.io: nothing leaves the site (and CSP forbids it).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SpeciesEnum": "ml.dataset.SPECIES", "FeatureEnum": "ml.dataset.FEATURES",
        # AI levels appear as `level` and `default_level`: one enum, one name.
        "LevelEnum": "ml.models.Level.choices",
        "V2DatatypeEnum": "ml.v2_schema.V2DatatypeEnum.choices",
        "PlotKindEnum": "ml.plots.PLOT_KINDS",
        # Two `status` fields and periods that are not Python names: named, not hashed.
        "ChallengeStatusEnum": "challenges.serializers.CHALLENGE_STATUSES",
        "ModelVersionStatusEnum": "ml.serializers.MODEL_VERSION_STATUSES",
        "OutcomeEnum": "challenges.serializers.OUTCOMES",
        "PeriodEnum": "challenges.serializers.PERIOD_CHOICES",
        "GateCodeEnum": "ml.serializers.GATE_CODES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "flower_power.api.schema.complete_schema",
        "flower_power.api.schema_names.name_operations",
    ],
}
