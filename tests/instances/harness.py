"""Two gunicorn instances sharing one throwaway PostgreSQL database and one Redis database, each reached
through a loopback TCP proxy that a test can cut (an outage) and restore, without touching the servers.

Used by tests/instances/ and bench/load.py. The PostgreSQL server and Redis are the machine's shared
ones: a database `iamconsole_instances_<random>` is made and dropped, and a Redis DB number (not 0) is
flushed before and after use.
"""

import contextlib
import json
import os
import re
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
POSTGRES_URL = os.environ.get("INSTANCES_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("INSTANCES_REDIS_URL", "redis://127.0.0.1:6379")
REDIS_DB = int(os.environ.get("INSTANCES_REDIS_DB", "13"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TcpProxy:
    """Forward 127.0.0.1:<port> to `target`; `cut()` drops every connection and refuses new ones
    (accepted, then closed at once: what a client sees when the server's host goes away), `restore()`
    forwards again."""

    def __init__(self, target: tuple[str, int]):
        self.target, self.port = target, free_port()
        self.up = True
        self.lock = threading.Lock()
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.listener = socket.create_server(("127.0.0.1", self.port), backlog=256)
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopping:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, server)
        selector.register(server, selectors.EVENT_READ, client)
        try:
            while True:
                for key, _ in selector.select():
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            selector.close()
            self._drop(client, server)

    def _drop(self, client: socket.socket, server: socket.socket) -> None:
        with self.lock:
            if (client, server) in self.pairs:
                self.pairs.remove((client, server))
        for sock in (client, server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def cut(self) -> None:
        self.up = False
        with self.lock:
            pairs = list(self.pairs)
        for pair in pairs:
            self._drop(*pair)

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.stopping = True
        self.cut()
        self.listener.close()


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def _redis_command(db: int, *args: str) -> None:
    import redis

    redis.Redis.from_url(f"{REDIS_URL}/{db}").execute_command(*args)


class Cluster:
    """The throwaway database, the proxies, and N gunicorn instances (`urls`) behind them."""

    def __init__(
        self,
        instances: int = 2,
        workers: int = 2,
        log_dir: Path | None = None,
        redis_db: int = REDIS_DB,
        *,
        threads: int = 1,
        proxied: bool = True,
    ):
        """`threads` > 1 runs gthread workers as `make serve` does; `proxied=False` connects the instances
        straight to PostgreSQL and Redis (no fault to inject: the load benchmark), without the proxies'
        hop through this process."""
        self.dir = Path(tempfile.mkdtemp(prefix="iamconsole-instances-"))
        self.log_dir = log_dir or self.dir
        self.db_name = f"iamconsole_instances_{uuid.uuid4().hex[:8]}"
        self.processes: list[subprocess.Popen] = []
        self.instances, self.workers, self.redis_db, self.threads = instances, workers, redis_db, threads
        pg = urlsplit(POSTGRES_URL)
        redis_parts = urlsplit(REDIS_URL)
        self.pg_proxy = TcpProxy((pg.hostname, pg.port or 5432))
        self.redis_proxy = TcpProxy((redis_parts.hostname, redis_parts.port or 6379))
        self.direct_url = urlunsplit(pg._replace(path="/" + self.db_name))
        netloc = f"{pg.username or 'postgres'}@127.0.0.1:{self.pg_proxy.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "IAMCONSOLE_", "DATABASE_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="iamconsole.settings",
            IAMCONSOLE_VAR_DIR=str(self.dir),
            REQUEST_LOG="0",
            DB_CONN_MAX_AGE="600",  # persistent connections, as in production: they must survive a cut
            DATABASE_URL=urlunsplit(pg._replace(netloc=netloc, path="/" + self.db_name)),
            REDIS_URL=f"redis://127.0.0.1:{self.redis_proxy.port}/{redis_db}",
        )
        if not proxied:
            env.update(
                DATABASE_URL=self.direct_url, REDIS_URL=urlunsplit(redis_parts._replace(path=f"/{redis_db}"))
            )
        self.env = env
        self.urls: list[str] = []

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(sql)

    def manage(self, *args: str, direct: bool = True) -> str:
        env = {**self.env, "DATABASE_URL": self.direct_url} if direct else self.env
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def sql(self, query: str, *params) -> list[tuple]:
        """A query on the cluster's database, straight to the server (not through the proxy)."""
        import psycopg

        with psycopg.connect(self.direct_url, autocommit=True) as connection:
            return connection.execute(query, params).fetchall()

    def start(self) -> dict:
        """Migrate, make a sandbox account (root password and root key), start the instances."""
        self._admin(f'CREATE DATABASE "{self.db_name}"')
        _redis_command(self.redis_db, "FLUSHDB")
        self.manage("migrate", "--noinput", "-v0")
        self.sandbox = json.loads(
            self.manage(
                "sandbox",
                "create",
                "--account-id",
                "111122223333",
                "--root-email",
                "root@example.com",
                "--root-password",
                "Root-pass-1234",
                "--root-access-key",
                "--json",
            )
        )
        for index in range(self.instances):
            port = free_port()
            log = open(self.log_dir / f"gunicorn-{index}.log", "w")  # noqa: SIM115 (the server's, for its life)
            command = [str(BIN / "gunicorn"), "iamconsole.wsgi:application", "--bind", f"127.0.0.1:{port}"]
            command += ["--workers", str(self.workers), "--no-control-socket", "--log-level", "warning"]
            command += ["--timeout", "60"]
            if self.threads > 1:  # `make serve`'s workers
                command += ["--worker-class", "gthread", "--threads", str(self.threads)]
            process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=log)
            self.processes.append(process)
            self.urls.append(f"http://127.0.0.1:{port}")
            wait_for(f"{self.urls[-1]}/healthz", process)
        return self.sandbox

    def log(self, index: int) -> str:
        return (self.log_dir / f"gunicorn-{index}.log").read_text()

    def worker_pids(self) -> list[list[int]]:
        """Each instance's worker PIDs (the children of its gunicorn arbiter)."""
        found = []
        for process in self.processes:
            children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
            found.append([int(pid) for pid in children.read_text().split()] if children.exists() else [])
        return found

    def close(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.pg_proxy.close()
        self.redis_proxy.close()
        with contextlib.suppress(Exception):  # Redis may be what a test broke; the DB number is reused
            _redis_command(self.redis_db, "FLUSHDB")
        self._admin(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        shutil.rmtree(self.dir, ignore_errors=True)


def rss_kib(pid: int) -> int:
    """A process's resident set size in KiB, from /proc/<pid>/status."""
    match = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    return int(match.group(1)) if match else 0
