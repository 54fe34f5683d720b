"""docker-compose.yml, .env.example and the Dockerfile against the settings the application reads,
so the deployment files and config/settings.py cannot drift apart."""

import re
import shutil

import pytest

from tests.ops.deployment import (
    CADDYFILE,
    COMPOSE_FILE,
    DOCKERFILE,
    ENV_EXAMPLE,
    app_services,
    caddy_adapt,
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
    assert worker["depends_on"]["redis"]["condition"] == "service_healthy"  # the PDF cache and limits it shares
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


# --- scale-out: web replicas behind one proxy, one worker queue, one Redis (docs/deploy.md, "Scaling out") ---


def _published(service: dict) -> list[tuple[str, str]]:
    return [tuple(str(port).rsplit(":", 2)[-2:]) for port in service.get("ports", [])]


def test_two_web_replicas_are_reached_only_through_the_proxy(compose):
    services = compose["services"]
    web, proxy = services["web"], services["proxy"]
    assert web["deploy"]["replicas"] == int(read_env_file()["WEB_REPLICAS"]) == 2
    assert "container_name" not in web, "a fixed container name allows one replica only"
    publishing = {name for name, service in services.items() if service.get("ports")}
    assert publishing == {"proxy"}, "only the proxy is published: a replica's own port would bypass it"
    assert sorted(_published(proxy)) == [("443", "443"), ("80", "80")]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert "build" not in proxy and proxy["image"].split(":")[0] == "caddy"
    # The proxy serves the host the application allows, and the base URL printed in QR codes.
    host = service_environment(proxy)["REGISTRY_HOST"]
    web_env = service_environment(web)
    assert host == web_env["ALLOWED_HOSTS"].split(",")[0]
    assert web_env["PUBLIC_BASE_URL"] == f"https://{host}"


def test_the_proxy_runs_the_repository_caddyfile_with_a_health_check(compose):
    proxy = compose["services"]["proxy"]
    config = proxy["command"][proxy["command"].index("--config") + 1]
    mounts = {target.split(":")[0]: source for source, target in (v.split(":", 1) for v in proxy["volumes"])}
    assert mounts[config] == "./" + str(CADDYFILE.relative_to(COMPOSE_FILE.parent))
    assert proxy["volumes"][0].endswith(":ro")
    assert {"caddy_data", "caddy_config"} <= set(compose["volumes"]), "certificates survive a restart"
    assert "/healthz" in " ".join(proxy["healthcheck"]["test"])


@pytest.fixture(scope="module")
def proxy_config(compose):
    """deploy/Caddyfile as Caddy reads it with the proxy container's environment (Debian's caddy 2.6 here; the
    compose image is Caddy 2 too)."""
    if shutil.which("caddy") is None:
        pytest.skip("caddy is not installed (.ci/install-caddy installs Debian's package)")
    environment = service_environment(compose["services"]["proxy"])
    return caddy_adapt({**environment, "PROXY_TLS": read_env_file()["PROXY_TLS"]})  # as shipped: not a secret


def _handlers(node, name: str) -> list[dict]:
    """Every handler called `name` anywhere in Caddy's JSON configuration."""
    found = []
    if isinstance(node, dict):
        if node.get("handler") == name:
            found.append(node)
        for value in node.values():
            found += _handlers(value, name)
    elif isinstance(node, list):
        for value in node:
            found += _handlers(value, name)
    return found


def test_the_proxy_spreads_requests_over_every_web_replica(compose, proxy_config):
    """Caddy looks up the `web` service's name in Docker's DNS (one address per replica) and balances over them,
    on the port gunicorn binds; HTTPS on the container port compose publishes as 443."""
    web, proxy = compose["services"]["web"], compose["services"]["proxy"]
    bind = next(arg for arg in web["command"] if arg.startswith("--bind="))
    web_port = bind.rsplit(":", 1)[1]
    proxies = _handlers(proxy_config, "reverse_proxy")
    assert proxies
    for handler in proxies:
        assert handler["dynamic_upstreams"] == {**handler["dynamic_upstreams"], "source": "a", "name": "web"}
        assert handler["dynamic_upstreams"]["port"] == web_port
        assert handler["load_balancing"]["selection_policy"]["policy"] == "round_robin"
        # X-Forwarded-For is the client's address alone: no client-sent entry is kept (TRUSTED_PROXY_DEPTH=1).
        assert "trusted_proxies" not in handler
        assert "headers" not in handler, "the proxy passes Host and the app's headers through unchanged"
    http = proxy_config["apps"]["http"]
    assert http["https_port"] == 443 and http["http_port"] == 80
    assert dict(_published(proxy)) == {"443": "443", "80": "80"}
    public = [s for s in http["servers"].values() if s["listen"] == [":443"]]
    assert len(public) == 1
    [route] = public[0]["routes"]
    assert route["match"] == [{"host": [service_environment(proxy)["REGISTRY_HOST"]]}]


def test_the_proxy_adds_no_response_header_and_keeps_no_access_log(proxy_config):
    """Every HTML page sends its own Content-Security-Policy (a second one would be enforced too) and the app
    its HSTS header; an access log would keep query strings, where personal data may be."""
    assert _handlers(proxy_config, "headers") == []
    assert "Content-Security-Policy" not in str(proxy_config)
    for server in proxy_config["apps"]["http"]["servers"].values():
        assert "logs" not in server


def test_every_certificate_choice_env_example_offers_is_one_caddy_reads(compose, proxy_config):
    """.env.example offers three PROXY_TLS values (Let's Encrypt, the ministry's own files, a trial CA)."""
    offered = re.findall(r"^#\s*PROXY_TLS=(.+)$", ENV_EXAMPLE.read_text(), re.M)
    assert len(offered) == 2 and read_env_file()["PROXY_TLS"] == ""
    automatic = proxy_config["apps"].get("tls")
    assert automatic is None, "empty: Caddy's automatic HTTPS (ACME) for REGISTRY_HOST"
    environment = service_environment(compose["services"]["proxy"])
    own, internal = (caddy_adapt({**environment, "PROXY_TLS": value.strip()})["apps"]["tls"] for value in offered)
    [files] = own["certificates"]["load_files"]
    mounts = dict(v.split(":", 1) for v in compose["services"]["proxy"]["volumes"])
    tls_dir = mounts["./secrets/tls"].removesuffix(":ro")
    assert files["certificate"].startswith(tls_dir + "/") and files["key"].startswith(tls_dir + "/")
    assert internal["automation"]["policies"][0]["issuers"] == [{"module": "internal"}]


def test_the_proxy_health_check_reaches_a_web_replica(compose, proxy_config):
    check = " ".join(compose["services"]["proxy"]["healthcheck"]["test"])
    port = re.search(r"http://localhost:(\d+)/healthz", check).group(1)
    [internal] = [s for s in proxy_config["apps"]["http"]["servers"].values() if s["listen"] == [f":{port}"]]
    assert port not in {published for published, _target in _published(compose["services"]["proxy"])}
    assert _handlers(internal, "reverse_proxy"), "the health check must pass through to a web replica"
    assert "/healthz" in str(internal)
