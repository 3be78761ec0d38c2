"""`/readyz`: 200 when the database (and Redis, when configured) answer; 503 otherwise; public, no data."""

import shutil
import socket
import subprocess
import time

import pytest
from django.db import connection

REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.mark.django_db
def test_it_is_ready_when_the_database_answers(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.content == b"ready"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_is_not_ready_when_the_database_fails_and_says_nothing_more(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("could not connect to server at db.internal:5432")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.content == b"not ready"


@pytest.mark.django_db
def test_it_is_not_ready_when_the_configured_redis_is_unreachable(client, settings):
    from django.core.cache import caches

    settings.REDIS_URL, settings.CACHES = "redis://127.0.0.1:1/0", REDIS_DOWN
    try:
        response = client.get("/readyz")
    finally:
        caches["default"].close()

    assert response.status_code == 503
    assert response.content == b"not ready"


@pytest.fixture
def redis_url(tmp_path):
    """A throwaway redis-server on a free port (skipped where the machine has none)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.django_db
def test_it_is_ready_when_the_configured_redis_answers(client, settings, redis_url):
    from django.core.cache import caches

    settings.REDIS_URL = redis_url
    settings.CACHES = {"default": {**REDIS_DOWN["default"], "LOCATION": redis_url}}
    try:
        response = client.get("/readyz")
    finally:
        caches["default"].close()

    assert response.status_code == 200


@pytest.mark.django_db
def test_only_get_is_answered(client):
    assert client.post("/readyz").status_code == 405
