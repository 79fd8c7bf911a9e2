"""Django settings for lienthong.

Every value a deployment changes comes from a ``LIENTHONG_*`` variable read through
``lienthong.config.env`` (STYLE habit 13). The defaults are the embedded mode: one node,
SQLite under the data directory, files on local disk, the database task worker. They are
safe (no debug, a per-installation secret key kept outside the repository); the
production check ``lienthong check --deploy`` refuses what is unsafe for a data centre.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from lienthong.config.env import (
    Env,
    load_or_create_secret_key,
    parse_database_url,
    parse_email_url,
)

env = Env()

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PACKAGE_DIR.parent.parent  # the checkout root (src/..)

# --- Paths ------------------------------------------------------------------------
DATA_DIR = env.path("DATA_DIR", BASE_DIR / "var")
MEDIA_ROOT = env.path("MEDIA_ROOT", DATA_DIR / "media")
STATIC_ROOT = env.path("STATIC_ROOT", DATA_DIR / "static")
MEDIA_URL = "/media/"
STATIC_URL = "/static/"

# --- Core -------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
NODE_NAME = env.str("NODE_NAME", "Nút lienthong")
NODE_CODE = env.str("NODE_CODE", "LOCAL")
NETWORK_PROFILE = env.choice("NETWORK_PROFILE", "internet", ("internet", "dedicated"))

if env.raw("SECRET_KEY"):
    SECRET_KEY = env.str("SECRET_KEY", "")
elif env.raw("SECRET_KEY_FILE"):
    SECRET_KEY = Path(env.str("SECRET_KEY_FILE", "")).read_text(encoding="utf-8").strip()
else:
    SECRET_KEY = load_or_create_secret_key(DATA_DIR / "secret_key")
SECRET_KEY_FROM_ENV = bool(env.raw("SECRET_KEY") or env.raw("SECRET_KEY_FILE"))

# Private keys of the CA and of seals are stored encrypted with this passphrase (issue #3).
if env.raw("KEY_ENCRYPTION_KEY"):
    KEY_ENCRYPTION_KEY = env.str("KEY_ENCRYPTION_KEY", "")
elif env.raw("KEY_ENCRYPTION_KEY_FILE"):
    KEY_ENCRYPTION_KEY = (
        Path(env.str("KEY_ENCRYPTION_KEY_FILE", "")).read_text(encoding="utf-8").strip()
    )
else:
    KEY_ENCRYPTION_KEY = load_or_create_secret_key(DATA_DIR / "key_encryption_key")
KEY_ENCRYPTION_KEY_FROM_ENV = bool(
    env.raw("KEY_ENCRYPTION_KEY") or env.raw("KEY_ENCRYPTION_KEY_FILE")
)
# The address other parties reach this node at: written into certificates (CRL, OCSP).
PUBLIC_URL = env.str("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Key algorithms for new CA and end-entity keys (lienthong.trust.keys.ALGORITHMS).
CA_KEY_ALGORITHM = env.choice(
    "CA_KEY_ALGORITHM", "rsa3072", ("rsa2048", "rsa3072", "rsa4096", "ec-p256", "ec-p384")
)
KEY_ALGORITHM = env.choice(
    "KEY_ALGORITHM", "rsa2048", ("rsa2048", "rsa3072", "rsa4096", "ec-p256", "ec-p384")
)

# PKCS#11 module of the USB tokens / HSM that hold signing keys (SoftHSM2 in tests).
PKCS11_MODULE = env.str("PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
# How often the head of the audit chain is timestamped by the TSA (issue #3, scope 8).
AUDIT_ANCHOR_MINUTES = env.int("AUDIT_ANCHOR_MINUTES", 60, minimum=1)

# Documents (issue #4): upload limit, signature level of issued documents, reminders.
DOCUMENT_MAX_UPLOAD_MB = env.int("DOCUMENT_MAX_UPLOAD_MB", 50, minimum=1)
DOCUMENT_SIGNATURE_LEVEL: str = env.choice(
    "DOCUMENT_SIGNATURE_LEVEL", "b-lta", ("b-b", "b-t", "b-lt", "b-lta")
).upper()
REMINDER_MINUTES = env.int("REMINDER_MINUTES", 60, minimum=1)
# Full-text search of documents: tantivy (embedded index under the data directory) or
# PostgreSQL full text (several web servers sharing one database).
SEARCH_BACKEND = env.choice("SEARCH_BACKEND", "tantivy", ("tantivy", "postgres"))
SEARCH_INDEX_DIR = env.path("SEARCH_INDEX_DIR", DATA_DIR / "search")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    # lienthong apps, in DESIGN.md's import order.
    "lienthong.core",
    "lienthong.audit",
    "lienthong.org",
    "lienthong.trust",
    "lienthong.documents",
    "lienthong.exchange",
    "lienthong.records",
    "lienthong.records.library",
    "lienthong.records.archives",
    "lienthong.elections",
    "lienthong.infra",
    "lienthong.portal",
    "lienthong.portal.feedback",
    "lienthong.portal.agenda",
    "lienthong.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks request.user.is_verified() once a second factor was given (issue #3).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "lienthong.core.middleware.SecurityHeadersMiddleware",
    # Last, as django-axes asks: it turns lock-outs into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lienthong.config.urls"
WSGI_APPLICATION = "lienthong.config.wsgi.application"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lienthong.core.context_processors.node",
                "lienthong.portal.agenda.context_processors.notifications",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'lienthong.sqlite3'}")
DATABASES = {
    "default": parse_database_url(
        DATABASE_URL, conn_max_age=env.int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    )
}

# --- Cache, sessions --------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # One web process in the embedded mode: a process-local cache is enough. With several
    # web servers set LIENTHONG_REDIS_URL so caches and rate limits are shared.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_AGE", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HTTPS = env.bool("HTTPS", default=False)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS and env.bool("SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", 31536000 if SECURE_HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Authentication ---------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env.int("LOGIN_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

# Second factor: the TOTP issuer name shown in authenticator apps.
OTP_TOTP_ISSUER = NODE_NAME

# --- Internationalisation ---------------------------------------------------------
LANGUAGE_CODE = env.choice("LANGUAGE", "vi", ("vi", "en"))
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------
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
# In the embedded mode the files are served straight from the apps' folders, so that
# `make demo` needs no collectstatic; production runs collectstatic (docs/admin).
WHITENOISE_USE_FINDERS = env.bool("SERVE_STATIC_FROM_APPS", default=True)
WHITENOISE_AUTOREFRESH = DEBUG
if WHITENOISE_USE_FINDERS:
    # WhiteNoise also looks in STATIC_ROOT; an empty folder keeps it quiet until
    # collectstatic fills it.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# --- Stored files (issue #4, scope 8) ----------------------------------------------
# Document content (by SHA-256) and uploaded media live under the data directory
# ("local") or in a bucket of any S3-compatible store ("s3": MinIO, Ceph RGW, AWS…), so
# that several web servers and workers share them (DESIGN.md "files on disk or
# S3-compatible storage"). The database and the keys never go there.
FILE_STORAGE = env.choice("FILE_STORAGE", "local", ("local", "s3"))
FILE_STORAGE_S3_BUCKET = env.str("FILE_STORAGE_S3_BUCKET", "")
FILE_STORAGE_S3_PREFIX = env.str("FILE_STORAGE_S3_PREFIX", "")
FILE_STORAGE_S3_ENDPOINT_URL = env.str("FILE_STORAGE_S3_ENDPOINT_URL", "")
FILE_STORAGE_S3_REGION = env.str("FILE_STORAGE_S3_REGION", "")
FILE_STORAGE_S3_ACCESS_KEY_ID = env.str("FILE_STORAGE_S3_ACCESS_KEY_ID", "")
if env.raw("FILE_STORAGE_S3_SECRET_ACCESS_KEY"):
    FILE_STORAGE_S3_SECRET_ACCESS_KEY = env.str("FILE_STORAGE_S3_SECRET_ACCESS_KEY", "")
elif env.raw("FILE_STORAGE_S3_SECRET_ACCESS_KEY_FILE"):
    _s3_secret_file = Path(env.str("FILE_STORAGE_S3_SECRET_ACCESS_KEY_FILE", ""))
    try:
        FILE_STORAGE_S3_SECRET_ACCESS_KEY = _s3_secret_file.read_text(encoding="utf-8").strip()
    except OSError as _exc:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"LIENTHONG_FILE_STORAGE_S3_SECRET_ACCESS_KEY_FILE: cannot read {_s3_secret_file}: "
            f"{_exc.strerror or _exc}"
        ) from _exc
else:
    FILE_STORAGE_S3_SECRET_ACCESS_KEY = ""
FILE_STORAGE_S3_ADDRESSING_STYLE = env.choice(
    "FILE_STORAGE_S3_ADDRESSING_STYLE", "auto", ("auto", "path", "virtual")
)
FILE_STORAGE_S3_VERIFY_TLS = env.bool("FILE_STORAGE_S3_VERIFY_TLS", default=True)
FILE_STORAGE_S3_CA_BUNDLE = env.str("FILE_STORAGE_S3_CA_BUNDLE", "")
if FILE_STORAGE == "s3":
    # Uploaded media (signature requests, stamp images) go to <prefix>media/ of the bucket.
    STORAGES["default"] = {"BACKEND": "lienthong.documents.storage.media_storage"}

# --- Tasks ------------------------------------------------------------------------
TASK_BACKEND = env.choice("TASK_BACKEND", "db", ("db", "rq", "immediate"))
if TASK_BACKEND == "rq":
    if not REDIS_URL:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("LIENTHONG_TASK_BACKEND=rq needs LIENTHONG_REDIS_URL")
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL}, "intake": {"URL": REDIS_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", "intake"]}}
elif TASK_BACKEND == "immediate":
    TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "intake"],
        }
    }
else:
    TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "intake"]}
    }

# --- E-mail -----------------------------------------------------------------------
_email = parse_email_url(env.str("EMAIL_URL", "file://"), data_dir=DATA_DIR)
EMAIL_BACKEND = _email.backend
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.user
EMAIL_HOST_PASSWORD = _email.password
EMAIL_USE_TLS = _email.use_tls
EMAIL_USE_SSL = _email.use_ssl
if _email.file_path:
    EMAIL_FILE_PATH = _email.file_path
DEFAULT_FROM_EMAIL = env.str("EMAIL_FROM", "lienthong@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- REST API ---------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", "60/minute"),
        "user": env.str("API_USER_RATE", "1200/minute"),
    },
    "EXCEPTION_HANDLER": "lienthong.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "lienthong API",
    "DESCRIPTION": "REST API of a lienthong node (units, people, and later documents).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    # Several models have a "state" or a "kind" field with different choices.
    "ENUM_NAME_OVERRIDES": {
        "DocumentStateEnum": "lienthong.documents.choices.DocumentState",
        "HandlingStateEnum": "lienthong.documents.choices.HandlingState",
        "FileKindEnum": "lienthong.documents.choices.FileKind",
        "EventKindEnum": "lienthong.documents.choices.EventKind",
        "UnitKindEnum": "lienthong.org.choices.UnitKind",
    },
}

# --- Logging ----------------------------------------------------------------------
LOG_LEVEL: str = env.choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # pyHanko logs a traceback at WARNING for every untrusted chain it is shown; the
    # validation report already says so in words.
    "loggers": {
        "axes": {"level": "WARNING"},
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
        # WeasyPrint logs every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # OCRmyPDF and pikepdf log every page's steps at INFO (the intake says the result).
        "ocrmypdf": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
    },
}

# --- Health -----------------------------------------------------------------------
HEALTH_MIN_FREE_DISK_MB = env.int("HEALTH_MIN_FREE_DISK_MB", 200, minimum=0)

# --- Content security policy (lienthong.core.middleware) ---------------------------
# No external origin anywhere: every asset is vendored (no CDN).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)

# --- Exchange between nodes (issue #5) ----------------------------------------------
#: Retry budget of an outgoing envelope: exponential backoff from BASE, capped at MAX,
#: with jitter; after LIMIT attempts it is a dead letter (the IT officer re-drives it).
#: The defaults keep trying for about three days (5 s doubling to an hour, 72 attempts):
#: a node down over a weekend gets everything when it returns.
EXCHANGE_RETRY_BASE_SECONDS = env.int("EXCHANGE_RETRY_BASE_SECONDS", 5, minimum=1)
EXCHANGE_RETRY_MAX_SECONDS = env.int("EXCHANGE_RETRY_MAX_SECONDS", 3600, minimum=1)
EXCHANGE_RETRY_LIMIT = env.int("EXCHANGE_RETRY_LIMIT", 72, minimum=1)
EXCHANGE_MAX_ENVELOPE_MB = env.int("EXCHANGE_MAX_ENVELOPE_MB", 100, minimum=1)
EXCHANGE_HTTP_TIMEOUT_SECONDS = env.int("EXCHANGE_HTTP_TIMEOUT_SECONDS", 30, minimum=1)
#: How often the worker sweeps the outbox for retries that are due.
EXCHANGE_SWEEP_SECONDS = env.int("EXCHANGE_SWEEP_SECONDS", 30, minimum=1)
#: The node code whose signature a network directory must carry (the central node).
EXCHANGE_DIRECTORY_ISSUER = env.str("EXCHANGE_DIRECTORY_ISSUER", "")
#: Mutual TLS of the client side: this node's TLS certificate and key (PEM files), and
#: the network's roots it trusts for the other nodes' servers.
EXCHANGE_TLS_CERT = env.str("EXCHANGE_TLS_CERT", "")
EXCHANGE_TLS_KEY = env.str("EXCHANGE_TLS_KEY", "")
EXCHANGE_TLS_CA = env.str("EXCHANGE_TLS_CA", "")
#: Mutual TLS of the server side: nginx verifies the client certificate and forwards
#: it (URL-encoded PEM, ``$ssl_client_escaped_cert``) in this header; only requests
#: from ``EXCHANGE_TRUSTED_PROXIES`` may carry it. Set, every envelope must come with
#: the TLS certificate of a node in the directory, and the sending units must be that
#: node's. Empty (embedded mode), the envelope's signature alone decides.
EXCHANGE_CLIENT_CERT_HEADER = env.str("EXCHANGE_CLIENT_CERT_HEADER", "")
EXCHANGE_TRUSTED_PROXIES = env.list("EXCHANGE_TRUSTED_PROXIES", ["127.0.0.1", "::1"])

# --- Elections (issue #6) -------------------------------------------------------------
#: Two readings shared/reference/vote-rules.md leaves open ("make this configurable").
#: The callers of ``lienthong.elections.tally`` pass them as the round's options.
#: §A3.4 (190 Art. 18, cut off in the sources): in an election of delegates to the
#: higher congress, "r1" makes the passers beyond the official seats alternates in order
#: of votes; "r2" elects no alternates from that round (they need a round of their own).
ELECTIONS_ALTERNATES_READING = env.choice("ELECTIONS_ALTERNATES_READING", "r1", ("r1", "r2"))
#: §A2 [INFERRED]: on the ballot of one name for one seat, both boxes or neither ticked
#: makes the ballot "invalid", or leaves it valid with no vote for that person ("no-vote").
ELECTIONS_SINGLE_CANDIDATE_BOTH_OR_NONE = env.choice(
    "ELECTIONS_SINGLE_CANDIDATE_BOTH_OR_NONE", "invalid", ("invalid", "no-vote")
)

# --- Digitisation (issue #7) ----------------------------------------------------------
#: The largest scan file the intake takes.
INTAKE_MAX_FILE_MB = env.int("INTAKE_MAX_FILE_MB", 200)
#: Tesseract's models for the text layer (Debian's tesseract-ocr-vie).
INTAKE_OCR_LANGUAGES = env.list("INTAKE_OCR_LANGUAGES", ["vie"])
#: How many scans are read at once: the intake task workers ``lienthong serve`` starts,
#: and the default ``--jobs`` of ``lienthong import_scans`` (OCR takes one core each).
INTAKE_WORKERS = env.int("INTAKE_WORKERS", 1)
#: A scan "being read" for longer than this is taken as abandoned by a dead worker.
INTAKE_STALL_MINUTES = env.int("INTAKE_STALL_MINUTES", 30)
#: The watched folder: files dropped here are taken in for INTAKE_WATCH_UNIT (the unit's
#: organisation id, mã định danh) in the name of the clerk INTAKE_WATCH_USER (a username),
#: every INTAKE_WATCH_SECONDS.
INTAKE_WATCH_DIR = env.str("INTAKE_WATCH_DIR", "")
INTAKE_WATCH_UNIT = env.str("INTAKE_WATCH_UNIT", "")
INTAKE_WATCH_USER = env.str("INTAKE_WATCH_USER", "")
INTAKE_WATCH_SECONDS = env.int("INTAKE_WATCH_SECONDS", 60)

# --- IT assets (issue #8) -------------------------------------------------------------
#: Years of use after which equipment is due for replacement, by kind: "server=5,ups=4"
#: overrides the defaults of lienthong.infra.models.DEFAULT_LIFETIMES ([INFERRED]).
INFRA_LIFETIME_YEARS: dict[str, int] = {}
for _item in env.list("INFRA_LIFETIME_YEARS", []):
    _kind, _sep, _years = _item.partition("=")
    if not _sep or not _years.strip().isdigit():
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"LIENTHONG_INFRA_LIFETIME_YEARS: {_item!r} is not kind=years (e.g. server=5)"
        )
    INFRA_LIFETIME_YEARS[_kind.strip()] = int(_years)
#: Probes: the sweep's period, how many checks run at once (network waits), how long a
#: unit is down before an alert, and how many days raw results are kept (then hourly).
INFRA_PROBE_SWEEP_SECONDS = env.int("INFRA_PROBE_SWEEP_SECONDS", 10, minimum=1)
INFRA_PROBE_THREADS = env.int("INFRA_PROBE_THREADS", 32, minimum=1)
INFRA_ALERT_MINUTES = env.int("INFRA_ALERT_MINUTES", 10, minimum=0)
INFRA_PROBE_RAW_DAYS = env.int("INFRA_PROBE_RAW_DAYS", 30, minimum=1)
#: Addresses told of every probe alert, besides the IT officers of the unit and the
#: units above it (e.g. the provincial data centre's duty desk).
INFRA_ALERT_EMAILS = env.list("INFRA_ALERT_EMAILS", [])

# --- Records (issue #9) ----------------------------------------------------------------
#: [INFERRED] The youngest age at admission (Điều lệ Đảng Điều 1: from 18) and the
#: shortest probation before a member is made official (12 months); the reference gives
#: both only second-hand, so they are settings.
RECORDS_MIN_ADMISSION_AGE = env.int("RECORDS_MIN_ADMISSION_AGE", 18, minimum=0)
RECORDS_PROBATION_MONTHS = env.int("RECORDS_PROBATION_MONTHS", 12, minimum=0)
#: [INFERRED] A member's record travels between nodes only when both are on the Party's
#: dedicated network, never to or from a node on the Internet: the records are internal
#: to the Party (vn-rules.md §6.4 note). The reference bans only classified content from
#: Internet nodes (§5.2), so the stricter rule is a setting.
RECORDS_TRANSFER_DEDICATED_ONLY = env.bool("RECORDS_TRANSFER_DEDICATED_ONLY", default=True)

# --- Citizens' feedback (issue #10 scope 2) --------------------------------------------
#: The public feedback form takes at most FEEDBACK_RATE_LIMIT submissions per client
#: address (REMOTE_ADDR) in FEEDBACK_RATE_WINDOW seconds, counted in the cache (shared by
#: every web server when LIENTHONG_REDIS_URL is set); beyond that it answers 429.
FEEDBACK_RATE_LIMIT = env.int("FEEDBACK_RATE_LIMIT", 5, minimum=1)
FEEDBACK_RATE_WINDOW = env.int("FEEDBACK_RATE_WINDOW", 60, minimum=1)
#: The largest attachment a citizen may send (PDF, DOCX, JPEG or PNG).
FEEDBACK_MAX_ATTACHMENT_MB = env.int("FEEDBACK_MAX_ATTACHMENT_MB", 10, minimum=1)
#: The organisation id (mã định danh) of the unit that answers feedback on a topic
#: without a responsible unit; empty: such topics are not offered.
FEEDBACK_DEFAULT_UNIT = env.str("FEEDBACK_DEFAULT_UNIT", "")

# --- Reports (issue #8) ----------------------------------------------------------------
#: The link media that count as "connected to the network" in the KPIs ([INFERRED]: the
#: programme counts the Party's dedicated data network).
REPORTS_CONNECTED_MEDIA = env.list("REPORTS_CONNECTED_MEDIA", ["dedicated"])
#: How long a reader's dashboard figures are kept before they are counted again (0: never
#: kept); the page says when they were computed and offers to compute them again.
REPORTS_CACHE_SECONDS = env.int("REPORTS_CACHE_SECONDS", 300, minimum=0)
