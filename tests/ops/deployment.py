"""Reading the deployment files as a user's machine would: docker-compose.yml with .env.example
interpolated, and the environment variables config/settings.py reads. No Docker engine needed."""

from __future__ import annotations

import ast
import re
import secrets
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
SETTINGS_FILE = ROOT / "config" / "settings.py"
DOCKERFILE = ROOT / "Dockerfile"

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}; `$$` is a literal dollar.
_INTERPOLATION = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def read_env_file(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def referenced_variables(text: str) -> set[str]:
    return {m.group("name") for m in _INTERPOLATION.finditer(text) if m.group("name")}


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's variable substitution (the subset the compose file uses), strict like `:?`."""

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        value = env.get(name)
        if op in (":-", ":?") and not value or op in ("-", "?") and value is None:
            if op.endswith("?"):
                raise KeyError(f"{name}: {arg}")
            return arg
        return value or ""

    return _INTERPOLATION.sub(substitute, text)


def filled_env_example() -> dict[str, str]:
    """.env.example with its empty secrets filled, as an operator following it would."""
    env = read_env_file()
    for name, value in env.items():
        if not value:
            env[name] = secrets.token_urlsafe(50)
    return env


def load_compose(env: dict[str, str] | None = None) -> dict:
    return yaml.safe_load(interpolate(COMPOSE_FILE.read_text(), env if env is not None else filled_env_example()))


def app_services(compose: dict) -> dict[str, dict]:
    """The services that run this project's image (built from the Dockerfile)."""
    return {name: service for name, service in compose["services"].items() if "build" in service}


def service_environment(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {name: str(value) for name, value in environment.items()}


def settings_variables() -> set[str]:
    """Every environment variable config/settings.py reads, found in its source."""
    tree = ast.parse(SETTINGS_FILE.read_text())
    readers = {"getenv", "get"}
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            is_environ = isinstance(func, ast.Attribute) and "environ" in ast.unparse(func.value)
            if name in {"env_bool", "env_list"} or name in readers and (is_environ or name == "getenv"):
                names.add(node.args[0].value)
        subscript = isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant)
        if subscript and ast.unparse(node.value).endswith("environ"):
            names.add(node.slice.value)
    return names


def required_production_variables() -> tuple[str, ...]:
    tree = ast.parse(SETTINGS_FILE.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "REQUIRED_PRODUCTION_ENV":
            return tuple(ast.literal_eval(node.value))
    raise AssertionError("config/settings.py no longer defines REQUIRED_PRODUCTION_ENV")


CADDYFILE = ROOT / "deploy" / "Caddyfile"


def caddy_adapt(env: dict[str, str]) -> dict:
    """deploy/Caddyfile as Caddy itself reads it (`caddy adapt`, with `env` as the proxy container's environment),
    as Caddy's JSON configuration. Needs the `caddy` binary (Debian's package; .ci/install-caddy)."""
    import json
    import os
    import shutil
    import subprocess

    caddy = shutil.which("caddy")
    if caddy is None:
        raise FileNotFoundError("caddy")
    completed = subprocess.run(  # noqa: S603 - a fixed binary and our own file
        [caddy, "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), **env},  # noqa: S108
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if completed.returncode:
        raise RuntimeError(f"caddy adapt failed: {completed.stderr.strip()}")
    return json.loads(completed.stdout)
