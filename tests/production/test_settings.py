"""Production settings (IAMCONSOLE_PRODUCTION=1), each run in a fresh interpreter with its own environment.

Settings are read once per process, so every case is a subprocess: `manage.py check --deploy` must be
clean at WARNING level, a missing secret, host list or origin list must stop the start, and the cookies,
headers and static storage must be the production ones.
"""

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Variables of the machine running the tests that would change what production mode sees.
OURS = (
    # The browser tests set it for Playwright's event loop in this process; a deployment never has it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "IAMCONSOLE_PRODUCTION",
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "IAMCONSOLE_ENCRYPTION_KEY",
    "IAMCONSOLE_ENCRYPTION_KEY_FILE",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "REQUEST_LOG",
)
SECRET = "production-secret-" + "x" * 50
ENCRYPTION_KEY = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture
def production_env(tmp_path):
    env = {name: value for name, value in os.environ.items() if name not in OURS}
    env.update(
        DJANGO_SETTINGS_MODULE="iamconsole.settings",
        IAMCONSOLE_PRODUCTION="1",
        IAMCONSOLE_VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY=SECRET,
        IAMCONSOLE_ENCRYPTION_KEY=ENCRYPTION_KEY,
        ALLOWED_HOSTS="iam.example.com",
        CSRF_TRUSTED_ORIGINS="https://iam.example.com",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    return env


def run(env, *args):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def settings_of(env, *names) -> dict:
    """The named settings as the production process computes them."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}, default=str))"
    )
    result = run(env, "-c", script)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_at_warning_level(production_env):
    result = run(production_env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_still_catches_a_weak_setting(production_env):
    # The clean result above means something: turning HSTS off is reported and fails the check.
    result = run(
        {**production_env, "SECURE_HSTS_SECONDS": "0"},
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )

    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "IAMCONSOLE_ENCRYPTION_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"]
)
def test_a_missing_setting_stops_the_start_and_nothing_is_generated(production_env, missing):
    del production_env[missing]

    result = run(production_env, "manage.py", "check")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing}" in result.stderr and "required when IAMCONSOLE_PRODUCTION is on" in result.stderr
    assert not list(Path(production_env["IAMCONSOLE_VAR_DIR"]).glob("*key*"))


def test_debug_cannot_be_on_in_production(production_env):
    result = run({**production_env, "DEBUG": "1"}, "manage.py", "check")

    assert result.returncode != 0
    assert "DEBUG must be off when IAMCONSOLE_PRODUCTION is on" in result.stderr


def test_secrets_can_come_from_files(production_env, tmp_path):
    (tmp_path / "secret").write_text("from-a-file-" + "y" * 50 + "\n")
    (tmp_path / "key").write_text(ENCRYPTION_KEY + "\n")
    env = {k: v for k, v in production_env.items() if k not in ("SECRET_KEY", "IAMCONSOLE_ENCRYPTION_KEY")}
    env.update(SECRET_KEY_FILE=str(tmp_path / "secret"), IAMCONSOLE_ENCRYPTION_KEY_FILE=str(tmp_path / "key"))

    values = settings_of(env, "SECRET_KEY", "IAMCONSOLE_ENCRYPTION_KEY")

    assert values == {"SECRET_KEY": "from-a-file-" + "y" * 50, "IAMCONSOLE_ENCRYPTION_KEY": ENCRYPTION_KEY}


def test_an_unreadable_secret_file_fails_loudly(production_env, tmp_path):
    env = {**production_env, "SECRET_KEY_FILE": str(tmp_path / "absent")}
    del env["SECRET_KEY"]

    result = run(env, "manage.py", "check")

    assert result.returncode != 0
    assert "SECRET_KEY_FILE: cannot read" in result.stderr


def test_production_settings_are_the_hardened_ones(production_env):
    values = settings_of(
        production_env,
        "DEBUG",
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "X_FRAME_OPTIONS",
        "WHITENOISE_USE_FINDERS",
        "STORAGES",
    )

    assert values["DEBUG"] is False
    assert (
        values["SESSION_COOKIE_NAME"] == "__Host-sessionid"
        and values["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    )
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["WHITENOISE_USE_FINDERS"] is False
    assert (
        values["STORAGES"]["staticfiles"]["BACKEND"]
        == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


def test_a_production_response_carries_the_security_headers_and_host_cookies(production_env):
    # Production serves only collected, hashed static files: collectstatic first, as `make serve` does.
    collected = run(production_env, "manage.py", "collectstatic", "--noinput", "-v0")
    assert collected.returncode == 0, collected.stderr
    # The sign-in page over HTTPS (as the proxy reports it) on the allowed host; no database needed.
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/login', headers={'host': 'iam.example.com', 'x-forwarded-proto': 'https'}); "
        "print(json.dumps({'status': r.status_code, 'headers': dict(r.headers), "
        "'cookie': r.cookies['__Host-csrftoken'].output() if '__Host-csrftoken' in r.cookies else ''}))"
    )
    result = run(production_env, "-c", script)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    headers = answer["headers"]

    assert answer["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "Secure" in answer["cookie"] and "Path=/" in answer["cookie"] and "Domain" not in answer["cookie"]


def test_plain_http_is_redirected_but_probes_are_not(production_env):
    script = (
        "import django; django.setup(); from django.test import Client; c = Client(); "
        "h = {'host': 'iam.example.com'}; "
        "print(c.get('/login', headers=h).status_code, c.get('/healthz', headers=h).status_code)"
    )
    result = run(production_env, "-c", script)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["301", "200"]


def test_redis_url_makes_redis_the_cache_and_sessions_cached_in_front_of_the_database(production_env):
    env = {**production_env, "REDIS_URL": "redis://cache.internal:6379/0"}

    values = settings_of(env, "CACHES", "SESSION_ENGINE")

    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert values["CACHES"]["default"]["LOCATION"] == "redis://cache.internal:6379/0"
    assert values["SESSION_ENGINE"] == "iamconsole.sessions"  # cached_db that survives a cache outage


def test_without_redis_the_defaults_stay(production_env):
    values = settings_of(production_env, "CACHES", "SESSION_ENGINE")

    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


def test_production_database_connections_persist_with_health_checks(production_env):
    env = {**production_env, "DATABASE_URL": "postgres://iam@db.internal:5432/iam"}

    database = settings_of(env, "DATABASES")["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["CONN_MAX_AGE"] == 600 and database["CONN_HEALTH_CHECKS"] is True
