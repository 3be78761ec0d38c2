"""Settings for iamconsole: one env-driven module with safe local defaults (STYLE.md 14).

Local defaults: SQLite under var/, the local backend, DEBUG off. Everything that differs in production
comes from the environment; a malformed value fails loudly with ImproperlyConfigured.
"""

import os
import secrets
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("IAMCONSOLE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _local_secret(filename: str, make) -> str:
    """A secret generated once into var/ for local runs, with a warning that it is not for production."""
    path = VAR_DIR / filename
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    value = make()
    path.write_text(value + "\n")
    path.chmod(0o600)
    warnings.warn(
        f"Generated a local {filename} under var/; set it from the environment in production.", stacklevel=2
    )
    return value


# Production mode (README "Deployment"): nothing generated, nothing defaulted that must be chosen.
PRODUCTION = env_bool("IAMCONSOLE_PRODUCTION", False)


def env_secret(name: str, make) -> str:
    """A secret from $NAME or the file at $NAME_FILE; in production it must be given, else one for var/."""
    value = os.environ.get(name)
    path = os.environ.get(f"{name}_FILE")
    if value and path:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both")
    if path:
        try:
            value = Path(path).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {error.strerror}")
        if not value:
            raise ImproperlyConfigured(f"{name}_FILE: {path} is empty")
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} (or {name}_FILE) is required when IAMCONSOLE_PRODUCTION is on")
    return _local_secret(name.lower().removeprefix("iamconsole_"), make)


def env_required_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list that production must set explicitly (hosts and origins are the site's own)."""
    value = env_list(name, [])
    if PRODUCTION and not value:
        raise ImproperlyConfigured(f"{name} is required when IAMCONSOLE_PRODUCTION is on")
    return value or default


DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when IAMCONSOLE_PRODUCTION is on")

SECRET_KEY = env_secret("SECRET_KEY", lambda: secrets.token_urlsafe(50))
# Rotating SECRET_KEY: the old keys keep existing sessions and signed values valid until they expire.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
# AES-GCM key (32 bytes, base64) for access-key secrets, TOTP seeds and server-certificate keys.
IAMCONSOLE_ENCRYPTION_KEY = env_secret(
    "IAMCONSOLE_ENCRYPTION_KEY", lambda: __import__("base64").b64encode(secrets.token_bytes(32)).decode()
)

ALLOWED_HOSTS = env_required_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_required_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "iamconsole",
    "accounts",
    "users",
    "groups",
    "policies",
    "credentials",
    "api",
]

MIDDLEWARE = [
    # Outermost, so its duration and status cover every other layer (redirects and refusals included).
    "iamconsole.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # /aws goes straight to the Query API view: no session, CSRF or page layers (api/middleware.py).
    "api.middleware.QueryApiMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "iamconsole.middleware.PrincipalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "iamconsole.urls"
WSGI_APPLICATION = "iamconsole.wsgi.application"

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
                "iamconsole.context_processors.console",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'iamconsole.sqlite3'}"
# Production keeps each worker's connection (checked before reuse) for DB_CONN_MAX_AGE seconds. Elsewhere
# the default is a connection per request: tests' threads must not leave connections open.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or _default_db,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 600 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DB_SERVER_SIDE_BINDING", True
):
    # Parameters bound by the server: psycopg then prepares a statement run often on a connection (after
    # 5 runs), so the planner's work on the console's few hot queries is done once per connection, not on
    # every request. Turn off (DB_SERVER_SIDE_BINDING=0) behind a pooler that cannot keep prepared
    # statements (PgBouncer in transaction mode without max_prepared_statements).
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let concurrent writers queue instead of failing at once. IMMEDIATE takes the
    # write lock when a transaction begins: a deferred one that reads first and then writes fails at once
    # with "database is locked" when another process writes (seen with two gunicorn workers).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# REDIS_URL: Django's own RedisCache (redis-py) as the default cache, and sessions cached in front of the
# database. Without it: the per-process local-memory cache and database sessions.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # An unreachable Redis fails a request (and /readyz) in seconds instead of hanging a worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
    SESSION_ENGINE = "iamconsole.sessions"  # cached_db that falls back to the database alone

# Console passwords are Argon2 (ARCHITECTURE.md §6); parameters tuned in iamconsole.hashers.
PASSWORD_HASHERS = [
    "iamconsole.hashers.ConsoleArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# WhiteNoise serves static files with DEBUG off. Locally straight from the finders; in production the
# compressed, content-hashed copies `collectstatic` writes (`make serve` runs it), cached for ever.
WHITENOISE_USE_FINDERS = not PRODUCTION
if PRODUCTION:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Scripts and styles come only from our static files (no inline script, style element or style=); the
# MFA QR code is inline SVG markup, which needs no source. Enforced locally too, so a violation shows early.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

if PRODUCTION:
    # HTTPS only: browsers refuse `__Host-` cookies unless Secure, Path=/ and without Domain.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Probes from the load balancer speak plain HTTP to the worker.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading commits the whole domain to browsers' built-in lists: the domain owner's choice.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    # Behind a TLS-terminating proxy: SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto trusts that header's
    # "https". Only set it when the proxy always overwrites the header, or clients could forge it.
    if proxy_header := os.environ.get("SECURE_PROXY_SSL_HEADER", ""):
        SECURE_PROXY_SSL_HEADER = ("HTTP_" + proxy_header.upper().replace("-", "_"), "https")

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"message": {"format": "%(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "requests": {"class": "logging.StreamHandler", "formatter": "message"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # One JSON line per request (iamconsole.logging): on in production, REQUEST_LOG=1/0 to choose.
    "loggers": {
        "iamconsole.requests": {
            "handlers": ["requests"],
            "level": "INFO" if env_bool("REQUEST_LOG", PRODUCTION) else "WARNING",
            "propagate": False,
        },
        # One JSON line per audit event (iamconsole/backends/audit.py): AUDIT_LOG=1/0, on in production.
        "iamconsole.audit": {
            "handlers": ["requests"],
            "level": "INFO" if env_bool("AUDIT_LOG", PRODUCTION) else "WARNING",
            "propagate": False,
        },
    },
}
