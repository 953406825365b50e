"""Settings for Flower Power, read from the environment (see README, "Configuration")."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE as CSP_NONCE
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from csp.constants import UNSAFE_INLINE as CSP_UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from flower_power.client_ip import parse_networks as _check_networks
from flower_power.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required unless DEBUG=true.")
    SECRET_KEY = "insecure-debug-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    # API tokens: django-rest-knox, with its model swapped for trainees.ApiToken.
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_filters",
    "trainees",
    "ml",
    "challenges",
    # Prometheus metrics on /metrics and the permission to scrape them (README, "Metrics").
    "flower_power.metrics",
]

# Prometheus metrics (flower_power/metrics/): off removes the request middleware and makes
# every recording call a no-op, so `make bench` can show what they cost.
METRICS_ENABLED = env_bool("METRICS_ENABLED", True)
# Every web and worker process writes its counters to files here (prometheus-client's
# multiprocess mode); /metrics sums them. Web and worker must share it (docker-compose.yml).
PROMETHEUS_MULTIPROC_DIR = env_str("PROMETHEUS_MULTIPROC_DIR", str(VAR_DIR / "prometheus"))

MIDDLEWARE = [
    # Outermost: every response carries X-Request-ID, every log line the request causes names
    # it, and its one JSON line per request (the access log) times the whole stack.
    "flower_power.request_id.RequestIdMiddleware",
    # Request count and latency by route, method and status (Prometheus).
    *(["flower_power.metrics.middleware.RequestMetricsMiddleware"] if METRICS_ENABLED else []),
    # Then: X-Forwarded-* headers from anyone but a TRUSTED_PROXIES peer are dropped before
    # anything (SecurityMiddleware's SECURE_PROXY_SSL_HEADER) reads them.
    "flower_power.client_ip.ForwardedHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below) and Permissions-Policy.
    "flower_power.security_headers.PageCSPMiddleware",
    "flower_power.security_headers.PermissionsPolicyMiddleware",
    # The API's shared HTTP behaviour (flower_power/api/middleware.py): JSON-only gzip (never
    # HTML, BREACH), 413 for bodies over REQUEST_BODY_MAX_BYTES, 308 to the slashed path.
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
    # Last, as django-axes requires: it turns a lockout flagged during the view into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "flower_power.urls"
WSGI_APPLICATION = "flower_power.wsgi.application"
ASGI_APPLICATION = "flower_power.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database: PostgreSQL when DATABASE_URL is set, else a SQLite file for a laptop.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "flower_power.sqlite3",
            # Web and worker processes share the file: wait for a lock instead of failing.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and broker: Redis when REDIS_URL is set, else embedded ones that need no server.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
            "KEY_PREFIX": "fp",
        }
    }
    # Redis down must not turn every request into a 500: throttles and scoreboard caches
    # degrade to "no cache" (logged), and /readyz reports the cache as down.
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Must exceed the training hard time limit, or Redis redelivers a task still running.
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60),
    }
else:
    # A file-based cache is shared by every process on the machine (throttles must count
    # across the web server and the worker), which the in-memory one is not.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("out", "processed"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }

CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Auth
AUTH_USER_MODEL = "trainees.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username+IP is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The username repeated, reversed or recased ("load7load7load7") is refused.
    {"NAME": "trainees.validators.UsernameDerivedPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# API tokens (django-rest-knox; README, "API tokens"): hashed, one per client, with a fixed
# expiry (no sliding renewal, so authenticating a request never writes to the database).
KNOX_TOKEN_MODEL = "trainees.ApiToken"
API_TOKEN_TTL = timedelta(days=env_int("API_TOKEN_TTL_DAYS", 30, minimum=1))
# A user's live tokens at most; issuing one more revokes the oldest.
API_TOKENS_PER_USER = env_int("API_TOKENS_PER_USER", 20, minimum=1)
REST_KNOX = {
    "TOKEN_TTL": API_TOKEN_TTL,
    "AUTO_REFRESH": False,
    # Secret scanners (GitHub's, gitleaks) can match a token that announces itself.
    "TOKEN_PREFIX": "fp_",
}
# knox's own AuthToken table is never used (swapped for trainees.ApiToken): no migrations.
MIGRATION_MODULES = {"knox": None}

# django-axes: lock a username *on* an IP, so one trainee failing at a shop's shared IP
# does not lock out colleagues.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "trainees.lockout.lockout_response"
# The same client address as throttles and logs (flower_power/client_ip.py, TRUSTED_PROXIES).
AXES_CLIENT_IP_CALLABLE = "flower_power.client_ip.client_ip"
# A lockout lasts AXES_COOLOFF_TIME from the failure that caused it; failures while locked out
# do not restart it (axes' default), or anyone at a shared shop IP could keep a colleague
# locked out for ever by trying their username every few minutes.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False

# --- i18n: the product ships in English and Simplified Chinese.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files: our own and the npm packages', served by the project (no CDN).
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # The d3 modules the page uses, from the npm registry (package.json), bundled by npm's
    # "prepare" script at install time; served as /static/vendor/d3/d3.min.js.
    ("vendor/d3", BASE_DIR / "node_modules" / ".build" / "d3"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security (check --deploy passes with production variables; see tests/test_settings.py)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Probes (the container HEALTHCHECK, load balancers) talk plain HTTP to the process itself.
# So is Prometheus, scraping /metrics over the internal network (README, "Metrics").
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^v2/health/", r"^metrics$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script anywhere: every page's scripts are our static files. The one inline script
# we serve, drf-spectacular's Swagger UI start-up, carries the request's nonce
# (templates/drf_spectacular/swagger_ui.html). Inline *styles* stay allowed: the admin, Swagger
# UI and D3 set style attributes, and a style cannot run code. data: images are the plots'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF, CSP_NONCE],
        "style-src": [CSP_SELF, CSP_UNSAFE_INLINE],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    },
    # Only HTML and SVG responses carry it (flower_power/security_headers.py): JSON for
    # programs is never rendered or run (nosniff), and building the policy cost ~0.2 ms.
}
# Browser features no page of ours uses are switched off for them and anything they embed.
PERMISSIONS_POLICY = env_str(
    "PERMISSIONS_POLICY",
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()",
)
# The proxies in front of the app (addresses or CIDR networks, comma-separated), e.g. a load
# balancer's subnet. Default: none, so X-Forwarded-For/-Proto are ignored (and dropped by
# flower_power.client_ip.ForwardedHeadersMiddleware) and the TCP peer is the client. With
# proxies, the client is the rightmost X-Forwarded-For hop that is not one of them, and
# X-Forwarded-Proto from them says whether the request came over TLS. gunicorn.conf.py reads
# the same variable for forwarded_allow_ips.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
_check_networks(TRUSTED_PROXIES)
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if env_str("BEHIND_TLS_PROXY") is not None:
    raise ImproperlyConfigured(
        "BEHIND_TLS_PROXY was replaced by TRUSTED_PROXIES (the proxies' addresses or networks)."
    )
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600, minimum=60)

# --- API
# The largest request body accepted (bytes), chunked or not: larger is a 413 JSON error.
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 2_621_440, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
REST_FRAMEWORK = {
    # Token first: an anonymous call then gets 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "flower_power.api.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["flower_power.api.renderers.FastJSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
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
    # One version string: the project's (pyproject.toml, set by flower_power.api.schema), the
    # one GET /v2 serves.
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
        "flower_power.api.schema.name_operations",
    ],
}

# Logs: one JSON object a line on stderr (flower_power/logs.py; README, "Logs"), or plain text
# for a person reading a terminal (`make run`). Every line names its request id.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not one of json, text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "flower_power.logs.ContextFilter"},
        "client_ip": {"()": "flower_power.client_ip.ClientIpLogFilter"},
        "quiet_client_errors": {"()": "flower_power.client_ip.QuietClientErrorsFilter"},
    },
    "formatters": {
        "json": {"()": "flower_power.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        # Request records name the client (TRUSTED_PROXIES decides who that is).
        "request": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s "
            "client=%(client_ip)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context"],
        },
        "request_console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "request",
            "filters": ["context", "client_ip", "quiet_client_errors"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # A refused login is expected traffic, not news.
        "axes": {"level": "WARNING"},
        # 4xx as one warning line (no traceback for a 403), with the client's address.
        "django.request": {"handlers": ["request_console"], "propagate": False},
    },
}

# --- Model serving and training (see ml/)
ML_PROMOTION_MIN_ACCURACY = env_float("ML_PROMOTION_MIN_ACCURACY", 0.9, minimum=0, maximum=1)
ML_PROMOTION_TOLERANCE = env_float("ML_PROMOTION_TOLERANCE", 0.02, minimum=0, maximum=1)
ML_ACTIVE_CHECK_SECONDS = env_float("ML_ACTIVE_CHECK_SECONDS", 2.0, minimum=0)
ML_TRAINING_SOFT_TIME_LIMIT = env_int("ML_TRAINING_SOFT_TIME_LIMIT", 600, minimum=10)
ML_TRAINING_TIME_LIMIT = env_int("ML_TRAINING_TIME_LIMIT", 900, minimum=20)
ML_PREDICT_MAX_ROWS = env_int("ML_PREDICT_MAX_ROWS", 10_000, minimum=1)
ML_NIGHTLY_RETRAIN = env_bool("ML_NIGHTLY_RETRAIN", True)
if ML_TRAINING_SOFT_TIME_LIMIT >= ML_TRAINING_TIME_LIMIT:
    raise ImproperlyConfigured("ML_TRAINING_SOFT_TIME_LIMIT must be below ML_TRAINING_TIME_LIMIT.")

# Species photos are uploaded by managers in the admin and served by the app (never from
# another host): the largest accepted upload, in bytes.
SPECIES_PHOTO_MAX_BYTES = env_int("SPECIES_PHOTO_MAX_BYTES", 2_000_000, minimum=1)

# Each is called as guard(user=...) before any prediction is served and may refuse it
# (ml/guards.py); the challenges app keeps the AI from helping during a challenge.
ML_PREDICTION_GUARDS = ["challenges.services.no_ai_during_a_challenge"]

# --- Challenges
CHALLENGE_ABANDON_AFTER_MINUTES = env_int("CHALLENGE_ABANDON_AFTER_MINUTES", 60, minimum=1)
# An answer faster than this (reading four numbers and choosing) is flagged for managers.
CHALLENGE_FAST_ANSWER_MS = env_int("CHALLENGE_FAST_ANSWER_MS", 1500, minimum=0)
# A trainee is ranked on the scoreboard from this many answered challenge rounds on.
SCOREBOARD_MIN_ROUNDS = env_int("SCOREBOARD_MIN_ROUNDS", 10, minimum=1)
# A scoreboard computed this recently is served even if answers came in since (see
# challenges.views.ScoreboardApi): bounds the work of many pollers during play.
SCOREBOARD_MAX_STALENESS_SECONDS = env_float(
    "SCOREBOARD_MAX_STALENESS_SECONDS", 2.0, minimum=0, maximum=60
)
ML_QUEUED_EXPIRY_HOURS = env_int("ML_QUEUED_EXPIRY_HOURS", 6, minimum=1)
# A training holds a lease that its task renews every third of it, whatever the training is
# doing; a training whose lease ran out (its worker was killed or lost) is failed by the
# reaper, which beat runs every ML_REAP_INTERVAL_SECONDS, and by any worker that starts.
ML_TRAINING_LEASE_SECONDS = env_int("ML_TRAINING_LEASE_SECONDS", 30, minimum=6)
ML_REAP_INTERVAL_SECONDS = env_int("ML_REAP_INTERVAL_SECONDS", 30, minimum=5)
# Input drift (ml/monitoring.py, ml/drift.py): web processes keep a bounded sample of the
# measurements they are sent and write it every ML_DRIFT_FLUSH_SECONDS; every
# ML_DRIFT_CHECK_MINUTES a task compares the last ML_DRIFT_WINDOW_HOURS of it with the active
# version's training split. A measurement has drifted when its PSI is above
# ML_DRIFT_PSI_THRESHOLD (the usual rule: 0.1 small, 0.2 significant) and its KS statistic
# is above the two-sample critical value at ML_DRIFT_KS_ALPHA (not chance: the reference is
# only ~120 flowers). Below ML_DRIFT_MIN_SAMPLES recent inputs there is no verdict.
ML_DRIFT_FLUSH_SECONDS = env_float("ML_DRIFT_FLUSH_SECONDS", 30.0, minimum=1)
ML_DRIFT_CHECK_MINUTES = env_float("ML_DRIFT_CHECK_MINUTES", 10.0, minimum=1)
ML_DRIFT_WINDOW_HOURS = env_float("ML_DRIFT_WINDOW_HOURS", 24.0, minimum=0.1)
ML_DRIFT_MIN_SAMPLES = env_int("ML_DRIFT_MIN_SAMPLES", 200, minimum=10)
ML_DRIFT_PSI_THRESHOLD = env_float("ML_DRIFT_PSI_THRESHOLD", 0.2, minimum=0)
ML_DRIFT_KS_ALPHA = env_float("ML_DRIFT_KS_ALPHA", 0.01, minimum=1e-9, maximum=0.5)

CELERY_BEAT_SCHEDULE = {
    "nightly-retrain": {
        "task": "ml.tasks.model_nightly_retrain_task",
        "schedule": crontab(
            hour=env_int("ML_NIGHTLY_RETRAIN_HOUR", 2, minimum=0, maximum=23), minute=0
        ),
    },
    # Often, so a training whose worker died is failed within about a lease (see below).
    "reap-stale-trainings": {
        "task": "ml.tasks.model_versions_reap_task", "schedule": ML_REAP_INTERVAL_SECONDS,
    },
    "abandon-stale-challenges": {
        "task": "challenges.tasks.challenge_sessions_abandon_task", "schedule": 300.0,
    },
    "input-drift-check": {
        "task": "ml.tasks.input_drift_check_task", "schedule": ML_DRIFT_CHECK_MINUTES * 60,
    },
}
