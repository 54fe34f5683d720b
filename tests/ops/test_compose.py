"""docker-compose.yml, .env.example and the Dockerfile against the settings the application reads,
so the deployment files and config/settings.py cannot drift apart."""

import re

import pytest

from tests.ops.deployment import (
    COMPOSE_FILE,
    DOCKERFILE,
    ENV_EXAMPLE,
    app_services,
    filled_env_example,
    interpolate,
    load_compose,
    read_env_file,
    referenced_variables,
    required_production_variables,
    service_environment,
    settings_variables,
)


@pytest.fixture(scope="module")
def compose():
    return load_compose()


def test_settings_reader_finds_the_variables_settings_reads():
    names = settings_variables()
    # A sample of each way settings read the environment, so a broken reader cannot pass vacuously.
    assert {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "LOG_FORMAT", "SECURE_HSTS_PRELOAD"} <= names


def test_every_variable_the_app_containers_get_is_one_settings_read(compose):
    read = settings_variables()
    services = app_services(compose)
    assert set(services) == {"release", "web", "worker"}
    for name, service in services.items():
        unknown = set(service_environment(service)) - read
        assert not unknown, f"{name} sets variables config/settings.py never reads: {sorted(unknown)}"


def test_every_required_production_variable_is_set(compose):
    required = required_production_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL"} <= set(required)
    for name, service in app_services(compose).items():
        environment = service_environment(service)
        missing = [var for var in required if not environment.get(var)]
        assert not missing, f"{name} lacks {missing}"
        assert environment["DEBUG"] == "0"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["PUBLIC_BASE_URL"].startswith("https://")


def test_compose_refuses_to_start_without_the_secrets():
    env = read_env_file()
    for name in ("SECRET_KEY", "POSTGRES_PASSWORD", "IP_HASH_KEY", "DOB_DIGEST_KEY", "IMPACT_STATS_KEY"):
        assert env[name] == "", f".env.example must not ship a value for {name}"
        with pytest.raises(KeyError, match=name):
            load_compose({**filled_env_example(), name: ""})


def test_env_example_documents_exactly_the_variables_compose_interpolates():
    referenced = referenced_variables(COMPOSE_FILE.read_text())
    documented = set(read_env_file(ENV_EXAMPLE))
    assert referenced - documented == set(), "compose uses variables .env.example does not document"
    assert documented - referenced == set(), ".env.example documents variables compose never uses"


def test_interpolation_follows_compose_rules():
    assert interpolate("${A:-x} ${B-y} ${C} $$D", {"A": "", "B": "", "C": "c"}) == "x  c $D"
    with pytest.raises(KeyError):
        interpolate("${A:?needed}", {"A": ""})


def test_postgres_16_keeps_its_data_in_a_named_volume_and_reports_health(compose):
    db = compose["services"]["db"]
    assert db["image"].split(":")[1].split(".")[0] == "16"
    volume = db["volumes"][0].split(":")
    assert volume[1] == "/var/lib/postgresql/data"
    assert volume[0] in compose["volumes"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    app_url = service_environment(compose["services"]["web"])["DATABASE_URL"]
    db_env = db["environment"]
    assert app_url.endswith(f"@db:5432/{db_env['POSTGRES_DB']}")
    assert app_url.startswith(f"postgres://{db_env['POSTGRES_USER']}:{db_env['POSTGRES_PASSWORD']}@")


def test_web_runs_gunicorn_after_migrations_with_keys_as_a_secret(compose):
    web, release = compose["services"]["web"], compose["services"]["release"]
    assert web["command"][:2] == ["gunicorn", "config.wsgi:application"]
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["depends_on"]["release"]["condition"] == "service_completed_successfully"
    assert "migrate --noinput" in " ".join(release["command"])
    assert "healthz" in " ".join(web["healthcheck"]["test"])
    assert web["secrets"] == ["signing_keys"]
    keys_dir = service_environment(web)["SIGNING_KEYS_DIR"]
    assert keys_dir == "/run/secrets/signing_keys"  # where compose mounts the secret
    assert compose["secrets"]["signing_keys"]["file"] == release["volumes"][0].split(":")[0]
    assert release["volumes"][0].split(":")[1] == keys_dir
    assert "volumes" not in web, "web containers are stateless"
    assert service_environment(web)["LOG_FORMAT"] == "json"


def test_a_worker_runs_the_task_queue_with_the_web_image_settings_and_keys(compose):
    """Background work (ADR 0009): the worker is the web's image and environment running `db_worker`, after the
    migrations, with the signing keys (cohort issuance signs) and time to finish the task it is running."""
    worker, web = compose["services"]["worker"], compose["services"]["web"]
    assert worker["command"][:3] == ["python", "manage.py", "db_worker"]
    assert "--reload" not in worker["command"]
    assert service_environment(worker) == service_environment(web)
    assert worker["image"] == web["image"] and worker["build"] == web["build"]
    assert worker["secrets"] == ["signing_keys"]
    assert worker["depends_on"]["release"]["condition"] == "service_completed_successfully"
    assert worker["depends_on"]["db"]["condition"] == "service_healthy"
    assert "ports" not in worker and "volumes" not in worker
    grace = worker["stop_grace_period"]
    assert grace.endswith("m") or int(grace.rstrip("s")) >= 30, "a worker needs time to finish its task"


def test_the_healthcheck_host_is_allowed(compose):
    environment = service_environment(compose["services"]["web"])
    assert "localhost" in environment["ALLOWED_HOSTS"].split(",")
    assert environment["ALLOWED_HOSTS"].split(",")[0] == read_env_file()["REGISTRY_HOST"]


def test_dockerfile_installs_the_project_as_a_non_root_user():
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.M)
    assert re.search(r"^RUN pip install \.", text, re.M)
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert "collectstatic" in text


def test_every_worker_counts_limits_in_the_compose_redis(compose):
    """Throttles, date-of-birth guess caps and rendered PDFs live in the cache every worker shares: compose runs
    Redis, healthy before web starts, and gives the app containers its URL."""
    redis, web = compose["services"]["redis"], compose["services"]["web"]
    assert redis["image"].split(":")[0] == "redis"
    assert "redis-cli" in redis["healthcheck"]["test"] and "ping" in redis["healthcheck"]["test"]
    assert web["depends_on"]["redis"]["condition"] == "service_healthy"
    for name, service in app_services(compose).items():
        url = service_environment(service)["REDIS_URL"]
        assert url.startswith("redis://redis:6379/"), name
    assert "REDIS_URL" in required_production_variables()


def test_client_addresses_come_from_the_proxy_compose_puts_in_front(compose):
    """TLS ends at one reverse proxy in front of web (BEHIND_TLS_PROXY): its X-Forwarded-For hop is the client."""
    environment = service_environment(compose["services"]["web"])
    assert environment["BEHIND_TLS_PROXY"] == "1"
    assert environment["TRUSTED_PROXY_DEPTH"] == read_env_file()["TRUSTED_PROXY_DEPTH"] == "1"
