"""Settings for the registry, configured from the environment (12-factor).

Every variable has a safe development default so `make run` needs none; production sets
`DEBUG=0`, `SECRET_KEY`, `ALLOWED_HOSTS`, `DATABASE_URL`, `PUBLIC_BASE_URL` and `REDIS_URL` (see docs/deploy.md).
"""

import datetime
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production-0123456789"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
# Former keys, comma-separated, while sessions and links they signed may still be in use (docs/deploy.md,
# "SECRET_KEY rotation"); signature MACs are made again under the new key by `refresh_signature_macs`.
SECRET_KEY_FALLBACKS = [key for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key]
# Production names these explicitly: a silent development default (SQLite, a 127.0.0.1 QR URL) would be a bug.
# docker-compose.yml sets each of them (tests/ops/test_compose.py keeps the two in step).
REQUIRED_PRODUCTION_ENV = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "PUBLIC_BASE_URL", "REDIS_URL")
_missing_env = [name for name in REQUIRED_PRODUCTION_ENV if not DEBUG and not os.environ.get(name)]
if _missing_env:
    raise RuntimeError(
        f"With DEBUG off these must be set: {', '.join(_missing_env)}"
        + (
            " (REDIS_URL: the cache all workers share. Throttles, date-of-birth guess caps and login limits are "
            "counted there; a cache of each process's own would multiply every limit by the number of workers.)"
            if "REDIS_URL" in _missing_env
            else ""
        )
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# How many proxies of ours stand in front of the application, each appending to X-Forwarded-For: the client's
# address is that many hops from the right. 0 (no proxy) ignores X-Forwarded-For; no other header is ever read
# (core/client_ip.py, docs/deploy.md).
TRUSTED_PROXY_DEPTH = int(os.environ.get("TRUSTED_PROXY_DEPTH", "0"))

INSTALLED_APPS = [
    "core.apps.RegistryAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "registry",
    "credentials",
    "outcomes",
    "api_docs",
    "axes",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestIdMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "core.request_log.RequestLogMiddleware",
    # A verification without credentials or cookies goes from here straight to its view (core/public_path.py).
    "core.public_path.PublicPathMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's LocaleMiddleware with `?lang=` first (core/language.py; the order is in docs/languages.md).
    "core.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "registry.User"
# Passwords and sessions through the access policy: users of an inactive organisation are refused at once.
# django-axes' backend comes first: it refuses a locked-out username and address before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "core.authentication.PolicyModelBackend"]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project-wide overrides of other apps' templates (the admin's base_site.html: its language switch).
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # <html lang> and the language switch of every page (core/language.py).
                "core.language.language_context",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'registry.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite is the embedded default for `make run`; WAL lets the dev server read while a write runs.
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Throttles, date-of-birth guess caps and rendered PDFs live in the default cache. With DEBUG off REDIS_URL is
# required (above): every worker must count in one place. The per-process LocMem is for `make run` and tests.
# REDIS_KEY_PREFIX keeps two deployments (or test runs) on one Redis apart.
_REDIS_URL = os.environ.get("REDIS_URL")
CACHES = {
    "default": (
        {
            "BACKEND": "core.cache.RedisCache",  # Django's, with one redis-py client per server (core/cache.py)
            "LOCATION": _REDIS_URL,
            "KEY_PREFIX": os.environ.get("REDIS_KEY_PREFIX", ""),
        }
        if _REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "registry"}
    )
}

# Background work (ADR 0009): imports, large cohort issuances and other long jobs run as tasks of django-tasks
# (the backport of Django 6's django.tasks) on its database backend, the same on SQLite (`make run`) and
# PostgreSQL: the queue is a table, so it needs nothing extra and any number of `manage.py db_worker` processes,
# on any machine, share it. `make run` starts one worker beside the server; compose runs the `worker` service.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# An import of more rows than this, or a cohort issuance of more enrolments, answers 202 with a task to watch
# (/api/v1/tasks/{id}); smaller ones answer at once unless the client sends `Prefer: respond-async`.
BACKGROUND_THRESHOLD = int(os.environ.get("BACKGROUND_THRESHOLD", "200"))

# Bitstring status lists (/status/{n}/{purpose}; ADR 0014): bits per new list (131,072 is the spec's minimum, which
# verifiers enforce: set less only in tests) and how long verifiers may keep a list (its `ttl` and max-age).
STATUS_LIST_SIZE = int(os.environ.get("STATUS_LIST_SIZE", "131072"))
STATUS_LIST_TTL = int(os.environ.get("STATUS_LIST_TTL", "300"))
# A running task with no progress for this long lost its worker and reads failed (`manage.py sweep_tasks`).
TASK_STALE_SECONDS = int(os.environ.get("TASK_STALE_SECONDS", "1800"))

# E-mail (credentials/notifications/mail.py, docs/notifications.md): sent by background tasks through Django's e-mail
# framework, each message recorded (never its body) and retried with backoff. Production: SMTP from these variables.
# Development (`make run`): each message is a file in var/mail/ (EMAIL_BACKEND=...console.EmailBackend prints them).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = int(os.environ.get("EMAIL_PORT") or "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)  # STARTTLS (port 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # implicit TLS (port 465)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "Kosovo credential registry <registry@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_MAX_ATTEMPTS = int(os.environ.get("EMAIL_MAX_ATTEMPTS", "6"))
# Holders' private links (/my/{token}) and share links (/s/{token}): the tokens are HMACs of a stored nonce under this
# key (defaults to a derivation of SECRET_KEY; a new key ends every link, ADR 0016). How long each kind works.
HOLDER_LINK_KEY = os.environ.get("HOLDER_LINK_KEY", "")
HOLDER_LINK_DAYS = int(os.environ.get("HOLDER_LINK_DAYS", "365"))
SHARE_LINK_MAX_DAYS = int(os.environ.get("SHARE_LINK_MAX_DAYS", "365"))
# Webhooks to subscribed verifiers are never sent to private, loopback or link-local addresses, unless this is on
# (tests, a closed network).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "sq"
# Django's codes: "sr" is Serbian in Cyrillic, "sr-latn" in Latin (locale/sr, locale/sr_Latn). Pages and links
# name them sr-Cyrl and sr-Latn; `?lang=sr` keeps meaning Latin, as it always did (core/language.py).
LANGUAGES = [("sq", "Shqip"), ("sr-latn", "Srpski"), ("sr", "Српски"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language, on the pages and the certificates alike (config/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_NAME = "django_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Belgrade"  # Kosovo's civil time zone (CET/CEST)
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.PolicyTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # The policy first (401/403), then unknown query parameters and body fields refused (core/api/strict.py).
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.PolicyPermission", "core.api.strict.KnownParameters"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "core.api.strict.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # JSON nested deeper than 64 levels, or not in its charset, is a 400 (core/api/parsers.py), never a 500.
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.RegistryPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "api_docs.schema.RegistrySchema",  # public operations list {} in security
    "EXCEPTION_HANDLER": "core.api.errors.registry_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "verify_anon": os.environ.get("THROTTLE_VERIFY_ANON", "60/min"),
        "verify_verifier": os.environ.get("THROTTLE_VERIFY_VERIFIER", "1200/min"),
        "verify_user": os.environ.get("THROTTLE_VERIFY_USER", "300/min"),
        # The public impact figures, page and API together, per client IP (outcomes/throttles.py).
        "impact_anon": os.environ.get("THROTTLE_IMPACT_ANON", "120/min"),
        # A holder's private page and its actions, per client IP; "send me my link" requests, per client IP.
        "holder_page": os.environ.get("THROTTLE_HOLDER_PAGE", "60/min"),
        "holder_link_request": os.environ.get("THROTTLE_HOLDER_LINK_REQUEST", "10/hour"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # DRF's own idea of the client (SimpleRateThrottle.get_ident) follows the same proxy depth.
    "NUM_PROXIES": TRUSTED_PROXY_DEPTH,
}

# Login limits (django-axes) on every password sign-in, /admin/login/ and /api-auth/login/ alike: after
# LOGIN_FAILURE_LIMIT wrong passwords for one username from one address, that pair is refused (429, the right
# password included) for LOGIN_COOLOFF_MINUTES, counted again from each further try. Attempts are rows in the
# database, so every worker sees them; the admin lists them and `manage.py axes_reset` lifts a lock.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
# Successful sign-ins are not kept with their raw address; axes masks usernames and addresses in its log lines.
AXES_DISABLE_ACCESS_LOG = True

# Uploaded files (CSV imports, candidate lists): a request whose files exceed this is refused before they reach the
# disk (core/uploads.py); each view keeps its own lower limit. The largest is a 5 MB import.
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(8 * 1024 * 1024)))
FILE_UPLOAD_HANDLERS = [
    "core.uploads.UploadCeiling",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

SPECTACULAR_SETTINGS = {
    "TITLE": "Kosovo Qualification and Credential Registry API",
    "DESCRIPTION": (
        "The national catalogue of occupational standards, qualifications, curricula, accreditations "
        "and equivalencies; learners, cohorts and certificates; public certificate verification; "
        "and the graduate tracer study."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "OrganisationStatusEnum": "registry.choices.OrganisationStatus",
        "ApprovalStatusEnum": "registry.choices.StandardStatus",  # standards and curricula
        "QualificationStatusEnum": "registry.choices.QualificationStatus",
        "AccreditationStatusEnum": "registry.choices.AccreditationStatus",
        "EquivalencyStatusEnum": "registry.choices.EquivalencyStatus",
        "VerificationOutcomeEnum": "credentials.choices.VerificationOutcome",
        "DeliveryModeEnum": "registry.choices.DeliveryMode",
        "CohortStatusEnum": "credentials.choices.CohortStatus",
        "EnrolmentStatusEnum": "credentials.choices.EnrolmentStatus",
        "ResultOutcomeEnum": "credentials.choices.ResultOutcome",
        "CertificateStatusEnum": "credentials.choices.CertificateStatus",
        "RevocationReasonEnum": "credentials.choices.RevocationReason",
        "StatusAuthorityEnum": "credentials.choices.StatusAuthority",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api_docs.hooks.add_error_responses",
        "api_docs.hooks.offer_binary_alternatives",
        "api_docs.hooks.json_request_bodies",
        "api_docs.hooks.optional_credentials_at_the_root",
    ],
}

# Signing keys for certificates (Ed25519). Private keys live in files, never in the database.
SIGNING_KEYS_DIR = Path(os.environ.get("SIGNING_KEYS_DIR", VAR_DIR / "keys"))
# Containers may mount the active key as a secret instead: PEM text or a file path, with its key id.
SIGNING_PRIVATE_KEY_PEM = os.environ.get("SIGNING_PRIVATE_KEY_PEM", "")
SIGNING_PRIVATE_KEY_FILE = os.environ.get("SIGNING_PRIVATE_KEY_FILE", "")
SIGNING_KEY_ID = os.environ.get("SIGNING_KEY_ID", "")
# The seal on every certificate PDF (PAdES, ADR 0013): certificate and key as PEM files or PEM text, intermediate
# certificates in SEAL_CHAIN_FILE. Unset: seal-certificate.pem and seal-key.pem in SIGNING_KEYS_DIR, the self-signed
# development pair made by `manage.py ensure_signing_key`.
SEAL_CERTIFICATE_FILE = os.environ.get("SEAL_CERTIFICATE_FILE", "")
SEAL_PRIVATE_KEY_FILE = os.environ.get("SEAL_PRIVATE_KEY_FILE", "")
SEAL_CERTIFICATE_PEM = os.environ.get("SEAL_CERTIFICATE_PEM", "")
SEAL_PRIVATE_KEY_PEM = os.environ.get("SEAL_PRIVATE_KEY_PEM", "")
SEAL_CHAIN_FILE = os.environ.get("SEAL_CHAIN_FILE", "")
# The catalogue change feed serves an audit entry once it is this old, so that a write still committing is never
# passed over by a harvester's cursor (registry/catalogue_changes.py).
CATALOGUE_CHANGES_SETTLE_SECONDS = float(os.environ.get("CATALOGUE_CHANGES_SETTLE_SECONDS", "5"))
# Keyed hash for client IPs in verification events; defaults to a derivation of SECRET_KEY.
IP_HASH_KEY = os.environ.get("IP_HASH_KEY", "")
# Keyed digest of a holder's date of birth frozen on each certificate (credentials/date_of_birth.py); defaults to
# a derivation of SECRET_KEY. Set it once and keep it: a new key makes every serial + date of birth check fail.
DOB_DIGEST_KEY = os.environ.get("DOB_DIGEST_KEY", "")
# Key of the impact statistics' random rounding (outcomes/stats.py, ADR 0010); defaults to a derivation of
# SECRET_KEY. Keep it: a new key re-draws every published figure.
IMPACT_STATS_KEY = os.environ.get("IMPACT_STATS_KEY", "")
# How long computed impact figures (API answers and the /impact/ page) stay in the shared cache at most; a write
# to what they count replaces them at once (outcomes/published.py). 0: computed on every request.
IMPACT_CACHE_SECONDS = int(os.environ.get("IMPACT_CACHE_SECONDS", "300"))

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preload only tells browsers the domain consents; submitting it to the list stays the operator's act.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Django's own request warnings ("Not Found: /api/v1/learners/1234567890/") name the route, not the path.
    "filters": {"routes_not_paths": {"()": "core.request_log.RoutesNotPaths"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["routes_not_paths"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # axes: its start-up banner and per-attempt INFO lines are noise; failures and lock-outs are WARNINGs (masked).
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
# LOG_FORMAT=json (compose's default): one JSON object per line, and one access line per request
# (core/request_log.py: method, route (never the raw path), status, duration, request id, user; never bodies).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
if LOG_FORMAT == "json":
    LOGGING["formatters"]["json"] = {"()": "core.logging.JsonFormatter"}
    LOGGING["handlers"]["console"]["formatter"] = "json"
LOGGING["loggers"]["registry.request"] = {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"}
