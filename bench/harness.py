"""What every benchmark shares: the throwaway benchmark database, a signing key, the machine's description,
a gunicorn server, and a load generator in a separate process (wrk from Debian, installed by bench/install-wrk
when missing; bench/load.py, our Python one, only where wrk cannot be had).

The benchmark database (`registry_bench`, or BENCH_DATABASE, next to DATABASE_URL's database on the same
server) is created and migrated at the start of `make bench` and dropped at the end, whatever happens: nothing
is written to the database DATABASE_URL names.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("BENCH_DATABASE", "registry_bench")
# The bench process and every server it starts share one SECRET_KEY: certificates the bench issues carry signature
# MACs under it (ADR 0029), which the servers check; under another key every verification would ask the key.
BENCH_SECRET_KEY = "bench-only-" + "x" * 50

Report = Callable[[str], None]


# --- the benchmark database ----------------------------------------------------------------------------------


def _admin_connection():
    """A psycopg2 connection to the server's maintenance database, in autocommit (CREATE/DROP DATABASE)."""
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        dbname="postgres",
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )
    conn.autocommit = True
    return conn


def _drop(name: str) -> None:
    conn = _admin_connection()
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


@contextlib.contextmanager
def bench_database(name: str = BENCH_DB) -> Iterator[str]:
    """Create and migrate `name`, point Django's default connection at it, drop it afterwards."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    original = settings.DATABASES["default"]["NAME"]
    _drop(name)
    conn = _admin_connection()
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    connection.close()
    settings.DATABASES["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name
    try:
        call_command("migrate", verbosity=0, interactive=False)
        yield name
    finally:
        connection.close()
        settings.DATABASES["default"]["NAME"] = original
        connection.settings_dict["NAME"] = original
        _drop(name)


def clone_database(target: str) -> None:
    """Copy the current database to `target` (CREATE DATABASE ... TEMPLATE: a file copy, fast)."""
    from django.db import connection

    source = connection.settings_dict["NAME"]
    connection.close()  # a template must have no other connection
    _drop(target)
    conn = _admin_connection()
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    finally:
        conn.close()


def drop_database(name: str) -> None:
    _drop(name)


@contextlib.contextmanager
def use_database(name: str) -> Iterator[None]:
    """Point Django's default connection at database `name` for a while (same server and credentials)."""
    from django.conf import settings
    from django.db import connection

    previous = connection.settings_dict["NAME"]
    if previous == name:
        yield
        return
    connection.close()
    settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = previous


def database_url(name: str) -> str:
    """DATABASE_URL for another process, pointing at database `name` on the same server."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    auth = db.get("USER") or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{name}"


@contextlib.contextmanager
def signing_key() -> Iterator[str]:
    """A throwaway key directory with one active key, for this process and the servers it starts."""
    from django.test.utils import override_settings

    from credentials.signing import generate_signing_key

    with (
        tempfile.TemporaryDirectory(prefix="bench-keys-") as keys_dir,
        override_settings(
            SIGNING_KEYS_DIR=keys_dir, SIGNING_PRIVATE_KEY_PEM="", SIGNING_PRIVATE_KEY_FILE="", SIGNING_KEY_ID=""
        ),
    ):
        generate_signing_key()
        yield keys_dir


# --- the machine ------------------------------------------------------------------------------------------------


def machine() -> dict:
    """What the numbers were measured on."""
    from django.db import connection

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gb = None
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": pg_version,
        "shared_buffers": shared_buffers,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


# --- gunicorn and the load generator ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def default_workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1


@dataclass
class Server:
    """gunicorn serving the project with production settings (DEBUG off) on a loopback port."""

    database: str
    keys_dir: str
    workers: int = field(default_factory=default_workers)
    port: int = field(default_factory=_free_port)
    settings_module: str = "bench.settings"
    # Production needs the cache every worker shares (config/settings.py refuses DEBUG off without it).
    redis_url: str = field(default_factory=lambda: os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    env: dict[str, str] = field(default_factory=dict)  # last word on the environment (tests)
    # Production logging (LOG_FORMAT=json, LOG_LEVEL=INFO: one JSON access line per request, as compose runs it)
    # instead of the quiet default; `output` takes the server's stdout and stderr (the log) instead of ours.
    production_logging: bool = False
    output: str | None = None
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SIGNING_"))}
        env.update(
            DJANGO_SETTINGS_MODULE=self.settings_module,
            DEBUG="0",
            SECRET_KEY=BENCH_SECRET_KEY,
            ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=database_url(self.database),
            PUBLIC_BASE_URL="https://registry.bench.invalid",
            SECURE_SSL_REDIRECT="0",
            SIGNING_KEYS_DIR=self.keys_dir,
            LOG_FORMAT="json" if self.production_logging else "plain",
            LOG_LEVEL="INFO" if self.production_logging else "WARNING",
            THROTTLE_VERIFY_ANON="100000000/min",
            THROTTLE_VERIFY_USER="100000000/min",
            THROTTLE_VERIFY_VERIFIER="100000000/min",
            VAR_DIR=tempfile.gettempdir() + "/registry-bench-var",
            REDIS_URL=self.redis_url,
        )
        env.update(self.env)
        return env

    def __enter__(self) -> Server:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={self.workers}",
            "--log-level=warning",
            "--timeout=60",
        ]
        sink = open(self.output, "ab") if self.output else None  # noqa: SIM115 - the child holds it
        try:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.environment(), stdout=sink, stderr=sink)
        finally:
            if sink is not None:
                sink.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.process.returncode}")
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return self
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pids(self) -> list[int]:
        """The gunicorn master's children (its workers), from /proc; [] where there is no /proc."""
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        with contextlib.suppress(OSError):
            return sorted(int(pid) for pid in children.read_text().split())
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(stat.parent.name))
        return sorted(pids)


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process in MB (VmRSS), None when it cannot be read."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return None


@dataclass
class LoadResult:
    requests: int
    errors: int
    statuses: dict[str, int]
    seconds: float
    p50_ms: float
    p99_ms: float
    generator: str = "bench/load.py"

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def load(
    base_url: str,
    paths: list[str],
    *,
    seconds: float,
    concurrency: int,
    accept: str = "application/json",
    shuffle: bool = False,
) -> LoadResult:
    """Run bench/load.py in its own process: `concurrency` clients GET `paths` in turn (or drawn at random,
    `shuffle`) for `seconds`."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("\n".join(paths))
        paths_file = fh.name
    try:
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.load",
                base_url,
                paths_file,
                f"--seconds={seconds}",
                f"--concurrency={concurrency}",
                f"--accept={accept}",
                *(["--random"] if shuffle else []),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=seconds + 120,
            check=True,
        )
    finally:
        os.unlink(paths_file)
    return LoadResult(**json.loads(completed.stdout))


WRK_SCRIPT = ROOT / "bench" / "wrk_random.lua"
_wrk: list[str | None] = []  # looked up (and installed) once per run


def wrk_path() -> str | None:
    """wrk, installed with bench/install-wrk (Debian's package, as CI installs Chromium) when missing; None when
    it cannot be had (no root, no apt-get): the caller falls back to bench/load.py and says so."""
    if not _wrk:
        path = shutil.which("wrk")
        if path is None:
            subprocess.run([str(ROOT / "bench" / "install-wrk")], check=False)
            path = shutil.which("wrk")
        _wrk.append(path)
    return _wrk[0]


def load_random(
    base_url: str,
    prefix: str,
    ids_file: str,
    *,
    seconds: float,
    connections: int,
    accept: str = "application/json",
    threads: int | None = None,
) -> LoadResult:
    """GET `prefix` + an id drawn at random from `ids_file` (one a line) over `connections` connections for
    `seconds`: wrk (bench/wrk_random.lua) when it can be had, else bench/load.py with the same random draw.
    wrk counts answers >= 400 and failed connections as errors (bench/load.py: anything but a 200)."""
    wrk = wrk_path()
    if wrk is None:
        with open(ids_file) as fh:
            paths = [prefix + line.strip() for line in fh if line.strip()]
        return load(base_url, paths, seconds=seconds, concurrency=connections, accept=accept, shuffle=True)
    threads = threads or max(1, min(4, (os.cpu_count() or 2) // 2))
    completed = subprocess.run(
        [
            wrk,
            f"--threads={min(threads, connections)}",
            f"--connections={connections}",
            f"--duration={max(1, round(seconds))}s",  # wrk takes whole seconds only
            "--timeout=30s",
            f"--script={WRK_SCRIPT}",
            base_url,
            "--",
            ids_file,
            prefix,
            accept,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=True,
    )
    data = json.loads(completed.stdout.strip().splitlines()[-1])
    failed = {kind: data[kind] for kind in ("connect", "read", "write", "status", "timeout") if data[kind]}
    return LoadResult(
        requests=data["requests"],
        errors=sum(failed.values()),
        statuses=failed,
        seconds=data["seconds"],
        p50_ms=data["p50_ms"],
        p99_ms=data["p99_ms"],
        generator="wrk",
    )


def median(values: list[float]) -> float:
    return statistics.median(values)
