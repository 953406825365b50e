"""Settings for Flower Power, read from the environment (see README, "Configuration")."""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from flower_power.client_ip import parse_networks as _check_networks
from flower_power.conf import api, beat, logs, middleware, security, services
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
# The lean path for predictions and /healthz (flower_power/fastpath.py); off: Django answers all.
FAST_PATH = env_bool("FAST_PATH", True)
# Every web and worker process writes its counters to files here (prometheus-client's
# multiprocess mode); /metrics sums them. Web and worker must share it (docker-compose.yml).
PROMETHEUS_MULTIPROC_DIR = env_str("PROMETHEUS_MULTIPROC_DIR", str(VAR_DIR / "prometheus"))

# In flower_power/conf/middleware.py, with why each sits where it does.
MIDDLEWARE = middleware.middleware(metrics_enabled=METRICS_ENABLED)

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
DATABASES = {"default": services.database(DATABASE_URL, VAR_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and broker: Redis when REDIS_URL is set, else embedded ones that need no server.
REDIS_URL = env_str("REDIS_URL")
CACHES = {"default": services.cache(REDIS_URL, VAR_DIR)}
CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = services.broker(REDIS_URL, VAR_DIR)
if REDIS_URL:
    # Redis down must not turn every request into a 500: throttles and scoreboard caches
    # degrade to "no cache" (logged), and /readyz reports the cache as down.
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

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
AUTH_PASSWORD_VALIDATORS = security.AUTH_PASSWORD_VALIDATORS
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
# Scripts only from our static files (and a nonce); the why is in flower_power/conf/security.py.
CONTENT_SECURITY_POLICY = security.CONTENT_SECURITY_POLICY
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
# X-Forwarded-Proto from them says whether the request came over TLS.
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
REST_FRAMEWORK = api.rest_framework(debug=DEBUG)
SPECTACULAR_SETTINGS = api.SPECTACULAR_SETTINGS

# Logs: one JSON object a line on stderr (flower_power/logs.py; README, "Logs"), or plain text
# for a person reading a terminal (`make run`). Every line names its request id.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not one of json, text.")
# LOG_FD: set by `python -m flower_power.serve` for its workers (their lines skip its relay).
LOGGING = logs.logging_config(log_format=LOG_FORMAT, level=env_str("LOG_LEVEL", "INFO"),
                              fd=env_int("LOG_FD", None, minimum=3))

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

CELERY_BEAT_SCHEDULE = beat.beat_schedule(
    nightly_retrain_hour=env_int("ML_NIGHTLY_RETRAIN_HOUR", 2, minimum=0, maximum=23),
    reap_seconds=ML_REAP_INTERVAL_SECONDS, drift_check_minutes=ML_DRIFT_CHECK_MINUTES,
)
