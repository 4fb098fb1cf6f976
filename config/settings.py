"""Kring settings, read from the environment.

Development (the default) needs nothing: SQLite under var/, mail to the console.
Production (KRING_MODE=production) refuses to start unless the configuration is safe.
"""

import importlib.util
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kring.core.deployment import allowed_hosts_problem, secret_key_problem

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("KRING_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
DEVELOPMENT_SECRET_KEY = "kring-development-only-not-secret"

KRING_MODE = env.str("KRING_MODE", default="development")
if KRING_MODE not in ("development", "production"):
    raise ImproperlyConfigured("KRING_MODE must be 'development' or 'production'.")
PRODUCTION = KRING_MODE == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Reverse proxies: how many stand in front of Kring, each appending the address it saw to X-Forwarded-For. The
# client's address (access log, login limits, API throttling) is the entry the outermost of them appended; with 0
# the header is ignored, so a client cannot choose its own address. Production must state it (0 when none).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=None if PRODUCTION else 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

if PRODUCTION:
    problems = []
    if DEBUG:
        problems.append("DEBUG must be off")
    key_problem = secret_key_problem(SECRET_KEY, DEVELOPMENT_SECRET_KEY)
    if key_problem:
        problems.append(f"SECRET_KEY must be set to a random value of at least 50 characters ({key_problem})")
    hosts_problem = allowed_hosts_problem(ALLOWED_HOSTS) if ALLOWED_HOSTS else "none given"
    if hosts_problem:
        problems.append(f"ALLOWED_HOSTS must name the host(s) Kring is served on ({hosts_problem})")
    if TRUSTED_PROXY_COUNT is None or TRUSTED_PROXY_COUNT < 0:
        problems.append(
            "TRUSTED_PROXY_COUNT must say how many reverse proxies are in front of Kring (0 when none): "
            "without it every login would be counted against the proxy's address"
        )
    if problems:
        raise ImproperlyConfigured("Unsafe production configuration: " + "; ".join(problems) + ".")

INSTALLED_APPS = [
    "kring.accounts.admin_config.KringAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "simple_history",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    # Kring apps, in journey order (see docs/architecture.md).
    "kring.core",
    "kring.accounts",
    "kring.audit",
    "kring.cases",
    "kring.inbox",
    "kring.journal",
    "kring.network",
    "kring.methods",
    "kring.trajectories",
    "kring.meetings",
    "kring.plans",
    "kring.documents",
    "kring.family",
    "kring.measures",
    "kring.evaluation",
    "kring.privacy",
    "kring.retention",
    "kring.transfer",
    "kring.worklists",
    "kring.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that may answer (refusals, redirects, error pages), so every answer gets the headers.
    "csp.middleware.CSPMiddleware",
    "kring.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kring.core.middleware.IdleSessionMiddleware",
    "kring.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Logs a refused request (403/404) that nothing else logged, against the organisation of the refused record.
    "kring.web.refusals.LogRefusalsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "kring.accounts.middleware.RequireTwoFactorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kring" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kring.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kring.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process and the worker read while the other writes. Immediate transactions take the write
    # lock when they begin and wait up to `timeout` seconds for it; a deferred one that read first and then
    # wrote failed at once with "database is locked" whenever another writer had come in between.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["ATOMIC_REQUESTS"] = False

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # An unreachable Redis fails a login within seconds instead of hanging the worker.
            "OPTIONS": {"socket_connect_timeout": 3, "socket_timeout": 3},
        }
    }
else:
    # A database cache is shared by every process, so login lockouts hold across workers.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "kring_cache"}}
# Several Kring installations (or test runs) may share one Redis; a prefix keeps their counters apart.
CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="")

FORM_RENDERER = "kring.core.forms.KringFormRenderer"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# Accounts: staff accounts are made by administrators; people log in with their e-mail address.
ACCOUNT_ADAPTER = "kring.accounts.adapters.KringAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
# Failed logins within LOGIN_LOCKOUT_MINUTES: LOGIN_FAILURES_ALLOWED per (account, address), more per address and
# per account (decision 60).
LOGIN_FAILURES_ALLOWED = env.int("LOGIN_FAILURES_ALLOWED", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
# Password logins are counted by kring.accounts.login_throttle (decision in its docstring): per (account, address)
# pair, per address across accounts, and per account across addresses, the last never for a browser the owner
# logged in with before, which instead waits LOGIN_KNOWN_DEVICE_WAIT_SECONDS between tries once past its own
# allowance. "login_failed" itself now only counts wrong two-factor codes (allauth's own use of it).
LOGIN_KNOWN_DEVICE_DAYS = env.int("LOGIN_KNOWN_DEVICE_DAYS", default=90)
LOGIN_KNOWN_DEVICE_WAIT_SECONDS = 60
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"{LOGIN_FAILURES_ALLOWED * 4}/{LOGIN_LOCKOUT_MINUTES}m/ip,"
    f"{LOGIN_FAILURES_ALLOWED}/{LOGIN_LOCKOUT_MINUTES}m/key",
    "kring_login_pair": f"{LOGIN_FAILURES_ALLOWED}/{LOGIN_LOCKOUT_MINUTES}m/key",
    "kring_login_address": f"{LOGIN_FAILURES_ALLOWED * 4}/{LOGIN_LOCKOUT_MINUTES}m/ip",
    "kring_login_account": f"{LOGIN_FAILURES_ALLOWED * 10}/{LOGIN_LOCKOUT_MINUTES}m/key",
    "kring_login_known_device": f"{LOGIN_FAILURES_ALLOWED}/{LOGIN_LOCKOUT_MINUTES}m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Kring"

# Sessions end after inactivity: a request pushes the expiry forward (kring.core.middleware.IdleSessionMiddleware,
# written at most once a minute rather than on every request).
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "kring" / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Brussels"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# Documents on a case (kring.documents): their files in the storage "documents". By default a folder under var/
# (KRING_DOCUMENT_ROOT), readable only by Kring's own user; with KRING_DOCUMENT_STORAGE=s3 an S3-compatible store
# (AWS S3, MinIO, Ceph, ...) through django-storages with boto3, which the lock files install (decisions 150, 211);
# an installation without them is refused with what to install. Files are stored under random names, never served
# by a URL of the store: Kring reads them back, checks their checksum and sends them as a download.
KRING_DOCUMENT_MAX_BYTES = env.int("KRING_DOCUMENT_MAX_BYTES", default=25 * 1024 * 1024)
KRING_DOCUMENT_STORAGE = env.str("KRING_DOCUMENT_STORAGE", default="filesystem")
if KRING_DOCUMENT_STORAGE == "filesystem":
    STORAGES["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env.str("KRING_DOCUMENT_ROOT", default=str(VAR_DIR / "documents")),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
elif KRING_DOCUMENT_STORAGE == "s3":
    if importlib.util.find_spec("storages") is None or importlib.util.find_spec("boto3") is None:
        raise ImproperlyConfigured(
            'KRING_DOCUMENT_STORAGE=s3 needs django-storages with boto3: pip install "django-storages[s3]>=1.14,<2".'
        )
    if not env.str("KRING_DOCUMENT_S3_BUCKET", default=""):
        raise ImproperlyConfigured("KRING_DOCUMENT_STORAGE=s3 needs KRING_DOCUMENT_S3_BUCKET, the bucket's name.")
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("KRING_DOCUMENT_S3_BUCKET"),
            "endpoint_url": env.str("KRING_DOCUMENT_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("KRING_DOCUMENT_S3_REGION", default="") or None,
            "access_key": env.str("KRING_DOCUMENT_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("KRING_DOCUMENT_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("KRING_DOCUMENT_S3_PREFIX", default="documents"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    raise ImproperlyConfigured("KRING_DOCUMENT_STORAGE must be 'filesystem' or 's3'.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Large enough that an oversized field reaches form validation and gets a message next to it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Pages queue their mail; the worker delivers it with the backend configured by EMAIL_URL.
KRING_DELIVERY_EMAIL_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_BACKEND = "kring.core.mail.QueuedEmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Kring <kring@localhost>")
# Where people reach Kring (https://kring.example.org): the inbox's e-mails then link to the page; without it they
# say to open the inbox.
KRING_BASE_URL = env.str("KRING_BASE_URL", default="")
# Who sends personal links by text message (kring.family.sending): a class with send(phone, text). The default writes
# the message to the log and standard output; a real provider is a class of the installation's own.
KRING_SMS_SENDER = env.str("KRING_SMS_SENDER", default="kring.core.link_sending.ConsoleSmsSender")

# The access log's retention (kring.audit.retention, decisions 165-166): months kept by default and at least (the
# legal minimum; an organisation may choose longer, up to the maximum), and where archived months are written.
KRING_ACCESS_LOG_RETENTION_MONTHS = env.int("KRING_ACCESS_LOG_RETENTION_MONTHS", default=60)
KRING_ACCESS_LOG_MIN_RETENTION_MONTHS = env.int("KRING_ACCESS_LOG_MIN_RETENTION_MONTHS", default=60)
KRING_ACCESS_LOG_MAX_RETENTION_MONTHS = env.int("KRING_ACCESS_LOG_MAX_RETENTION_MONTHS", default=240)
KRING_ACCESS_LOG_ARCHIVE_ROOT = Path(
    env.str("KRING_ACCESS_LOG_ARCHIVE_ROOT", default=str(VAR_DIR / "access-log-archive"))
)
if not (
    1
    <= KRING_ACCESS_LOG_MIN_RETENTION_MONTHS
    <= KRING_ACCESS_LOG_RETENTION_MONTHS
    <= KRING_ACCESS_LOG_MAX_RETENTION_MONTHS
):
    raise ImproperlyConfigured(
        "The access log's retention must satisfy 1 <= KRING_ACCESS_LOG_MIN_RETENTION_MONTHS <= "
        "KRING_ACCESS_LOG_RETENTION_MONTHS <= KRING_ACCESS_LOG_MAX_RETENTION_MONTHS."
    )

TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Kring's tokens (only a digest stored) and the browser session, which must have passed the second
        # factor for roles that need two-factor login.
        "kring.accounts.api_tokens.DigestTokenAuthentication",
        "kring.accounts.two_factor.TwoFactorSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only, with a nesting limit: a body nested thousands deep is a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": ["kring.core.parsers.BoundedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kring.core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "1200/min"},
}
# The API throttles anonymous clients per address, which it must take from the same trusted proxy entry.
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
SPECTACULAR_SETTINGS = {
    "TITLE": "Kring API",
    "DESCRIPTION": "Cases, persons, case teams and consent for network-oriented youth care.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # A PATCH body is read by the same serializer as its declared fields say (the version stays required), not
    # as a "Patched" copy with every field optional.
    "COMPONENT_SPLIT_PATCH": False,
    # An unset choice is answered as "" (or null): the enum says so, as its own BlankEnum/NullEnum.
    "ENUM_ADD_EXPLICIT_BLANK_NULL_CHOICE": True,
    # After the enum names are settled: the answers every operation can give (401, 429; 409 for a removal).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kring.core.api.document_common_answers",
    ],
    # Several models have a field called "kind"; each choice set gets its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "SymbolKindEnum": "kring.network.models.SymbolKind",
        "RelationshipKindEnum": "kring.network.models.RelationshipKind",
        "MeetingKindEnum": "kring.meetings.choices.MeetingKind",
        "MeetingStatusEnum": "kring.meetings.choices.MeetingStatus",
        "MeetingPartKindEnum": "kring.meetings.choices.PartKind",
        "InvitationRoleEnum": "kring.meetings.choices.InvitationRole",
        "CaseStatusEnum": "kring.cases.choices.CaseStatus",
        "CaseRoleEnum": "kring.cases.choices.CaseRole",
        "DocumentKindEnum": "kring.documents.choices.DocumentKind",
        "AuthorityKindEnum": "kring.cases.choices.AuthorityKind",
        "AuthoritySourceEnum": "kring.cases.choices.AuthoritySource",
        "WithheldReasonEnum": "kring.privacy.models.WithheldReason",
        "RetentionExtensionReasonEnum": "kring.retention.models.ExtensionReason",
    },
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Security headers (item 13 of the security review). django-csp writes the Content-Security-Policy: scripts and
# styles only from Kring's own static files, never inline, so a name with a script in it stays text even if a
# template forgot to escape it. Images may also be data: URIs (the QR code of the two-factor setup is one).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        # Where browsers send violation reports, when an organisation collects them (e.g. its SIEM).
        "report-uri": env.list("CSP_REPORT_URI", default=[]) or None,
    },
}
# Browser features Kring never uses, switched off for every page (kring.core.middleware.SecurityHeadersMiddleware,
# which also sends Cache-Control: no-store on every answer).
KRING_PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if TRUSTED_PROXY_COUNT:
        # Only a proxy of ours may say the request came in over HTTPS.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Kring's own settings.
KRING_CASELOAD_PAGE_SIZE = 25
# An uploaded extract at /evaluation/compare/extract/ is refused above these sizes, from the file's header
# (Parquet metadata, CSV lines counted) before its data is read; above KRING_EXTRACT_INLINE_BYTES it is evaluated
# as a job in the worker rather than in the web process (issue 12).
KRING_EXTRACT_MAX_ROWS = env.int("KRING_EXTRACT_MAX_ROWS", default=500_000)
KRING_EXTRACT_MAX_COLUMNS = env.int("KRING_EXTRACT_MAX_COLUMNS", default=500)
KRING_EXTRACT_INLINE_BYTES = env.int("KRING_EXTRACT_INLINE_BYTES", default=1_000_000)
