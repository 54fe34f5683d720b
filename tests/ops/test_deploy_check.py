"""`manage.py check --deploy` is clean with the environment docker-compose.yml gives the web container,
and production refuses to start with a required variable missing. Run in subprocesses: settings are
read once per process."""

import os
import subprocess
import sys

from tests.ops.deployment import ROOT, load_compose, service_environment


def _production_env(tmp_path, **overrides) -> dict[str, str]:
    environment = service_environment(load_compose()["services"]["web"])
    environment.update(
        # Container paths, moved to scratch directories on this machine.
        VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        SIGNING_KEYS_DIR=str(tmp_path / "keys"),
    )
    environment.update(overrides)
    base = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return {**base, **{k: v for k, v in environment.items() if v is not None}}


def _manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_the_compose_environment(tmp_path):
    result = _manage(_production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output


def test_production_refuses_to_start_without_a_public_base_url(tmp_path):
    env = _production_env(tmp_path)
    del env["PUBLIC_BASE_URL"]
    result = _manage(env, "check")
    assert result.returncode != 0
    assert "PUBLIC_BASE_URL" in result.stderr


def test_development_defaults_are_not_used_in_production(tmp_path):
    env = _production_env(tmp_path)
    del env["DATABASE_URL"]
    result = _manage(env, "check")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def _start(env, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_shared_cache(tmp_path):
    """Each worker counting in its own memory would multiply every throttle, guess cap and login limit by the
    number of workers; production settings do not load without REDIS_URL."""
    env = _production_env(tmp_path)
    del env["REDIS_URL"]
    result = _start(env, "import django; django.setup()")
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr and "number of workers" in result.stderr

    started = _start(_production_env(tmp_path), "import django; django.setup(); print('started')")
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip().endswith("started")


def test_gunicorn_does_not_serve_production_without_a_shared_cache(tmp_path):
    env = _production_env(tmp_path)
    del env["REDIS_URL"]
    result = subprocess.run(  # noqa: S603 - our own gunicorn, fixed arguments
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind=127.0.0.1:0", "--workers=1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr
