"""The production setup: compose.yaml, the Dockerfile, .env.example, gunicorn.conf.py,
`manage.py check --deploy` with the production values, and `make serve-prod` for real.

The image is not built by a test (its base image comes from Docker Hub, which CI cannot reach;
it was built by hand with Debian's docker.io and a stand-in base image: README, "The full stack
with compose"); the compose file is checked by `docker compose config` (or Debian's
`docker-compose config`, which .ci/run installs) and its structure by the tests below."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.servers import RedisServer
from tests.servers.base import free_port
from tests.servers.programs import require_service

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"proxy", "web", "worker", "beat", "db", "redis", "opensearch"}
NGINX_TEMPLATE = ROOT / "deploy" / "nginx" / "portal.conf.template"


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def _env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def _documented() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", readme, flags=re.MULTILINE))


# Read by compose itself, gunicorn.conf.py or the Makefile, not by the settings.
PROCESS_VARIABLES = {
    "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "WEB_CONCURRENCY", "CELERY_CONCURRENCY",
    "PORTAL_PORT", "OPENSEARCH_JAVA_OPTS", "NGINX_RATE", "NGINX_BURST", "NGINX_FORWARDED_PROTO",
}  # fmt: skip


def test_compose_has_the_whole_stack_with_health_checks_and_named_volumes() -> None:
    compose = _compose()
    services = compose["services"]

    assert set(services) == SERVICES
    for name, service in services.items():
        assert "healthcheck" in service, name
    volumes = set(compose["volumes"])
    mounts = [mount for service in services.values() for mount in service.get("volumes", [])]
    used = {mount.split(":")[0] for mount in mounts if not mount.startswith("./")}
    assert used == volumes  # all data in named volumes, every volume used
    # Only nginx's configuration comes from the checkout, read-only.
    assert [m for m in mounts if m.startswith("./")] == [
        f"./deploy/nginx/{name}:/etc/nginx/{place}:ro"
        for name, place in (
            ("portal.conf.template", "templates/portal.conf.template"),
            ("portal.d", "portal.d"),
        )
    ]
    assert services["opensearch"]["environment"]["discovery.type"] == "single-node"
    web = " ".join(services["web"]["command"])
    assert "gunicorn portal.wsgi" in web
    assert services["web"]["environment"]["WEB_CONCURRENCY"] == "${WEB_CONCURRENCY:-3}"
    assert "worker" in " ".join(services["worker"]["command"])
    assert "beat" in services["beat"]["command"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["db"] == {"condition": "service_healthy"}


def test_only_the_proxy_is_published_and_it_fills_in_every_variable_of_its_template() -> None:
    services = _compose()["services"]
    proxy = services["proxy"]

    assert [name for name, service in services.items() if "ports" in service] == ["proxy"]
    assert proxy["ports"] == ["${PORTAL_PORT:-8000}:8080"]
    assert proxy["environment"]["PORTAL_UPSTREAM"] == "web:8000"
    assert services["web"]["expose"] == ["8000"]
    assert proxy["depends_on"] == {"web": {"condition": "service_healthy"}}
    placeholders = set(re.findall(r"\$\{([A-Z_]+)\}", NGINX_TEMPLATE.read_text()))
    assert placeholders == set(proxy["environment"]) - {"NGINX_ENVSUBST_FILTER"}
    assert all(
        re.match(proxy["environment"]["NGINX_ENVSUBST_FILTER"], name) for name in placeholders
    )
    # The portal believes the proxy's X-Forwarded-For (the compose network's addresses).
    web = services["web"]["environment"]
    assert web["BEHIND_PROXY"] == "${BEHIND_PROXY:-true}"


def test_compose_passes_only_documented_settings_and_no_secret() -> None:
    environment = _compose()["services"]["web"]["environment"]
    documented = _documented()

    assert set(environment) - documented - PROCESS_VARIABLES == set()
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")  # never a default
    assert _env_example()["SECRET_KEY"] == ""


def test_env_example_names_only_known_variables() -> None:
    assert set(_env_example()) - _documented() - PROCESS_VARIABLES == set()


def _compose_client() -> list[str] | None:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run(
            [docker, "compose", "version"], capture_output=True, check=False
        ).returncode
        == 0
    ):
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def _compose_config(
    directory: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`docker compose config` on a copy of compose.yaml in ``directory`` (with its ``.env``)."""
    client = _compose_client()
    if client is None:
        require_service(
            "docker compose", "neither `docker compose` nor docker-compose is installed"
        )
    shutil.copy(ROOT / "compose.yaml", directory / "compose.yaml")
    return subprocess.run(
        [*client, "-f", "compose.yaml", "config"],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    env = (
        (ROOT / ".env.example")
        .read_text()
        .replace("SECRET_KEY=\n", "SECRET_KEY=x" * 1 + "y" * 50 + "\n")
    )
    (tmp_path / ".env").write_text(env)

    done = _compose_config(tmp_path)

    assert done.returncode == 0, done.stderr
    resolved = yaml.safe_load(done.stdout)
    assert set(resolved["services"]) == SERVICES
    assert resolved["services"]["web"]["environment"]["WEB_CONCURRENCY"] == "3"
    proxy = resolved["services"]["proxy"]["environment"]
    assert (proxy["NGINX_RATE"], proxy["NGINX_FORWARDED_PROTO"]) == ("20", "https")

    # Left out (TLS at nginx, or a first try on http://localhost): empty, nginx's own scheme.
    (tmp_path / ".env").write_text(env.replace("NGINX_FORWARDED_PROTO=https\n", ""))
    done = _compose_config(tmp_path)
    assert done.returncode == 0, done.stderr
    proxy = yaml.safe_load(done.stdout)["services"]["proxy"]["environment"]
    assert proxy["NGINX_FORWARDED_PROTO"] == ""


def test_compose_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}

    done = _compose_config(tmp_path, env)

    assert done.returncode != 0
    assert "SECRET_KEY" in done.stderr


def test_the_dockerfile_builds_in_stages_and_runs_unprivileged() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM \S+ AS (\w+)", text, flags=re.MULTILINE)
    users = re.findall(r"^USER (\S+)", text, flags=re.MULTILINE)

    assert len(stages) >= 2
    assert "COPY --from=build /opt/venv" in text
    assert users
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert re.search(r"^RUN .*manage\.py collectstatic", text, flags=re.MULTILINE)
    assert re.search(r"^HEALTHCHECK .*\n?.*healthz", text, flags=re.MULTILINE)
    assert 'CMD ["gunicorn", "portal.wsgi"]' in text
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def test_gunicorn_takes_its_workers_from_the_environment(tmp_path: Path) -> None:
    code = (
        "import runpy, json; c = runpy.run_path('gunicorn.conf.py'); "
        "print(json.dumps([c['workers'], c['bind'], c['threads']]))"
    )
    env = {**os.environ, "WEB_CONCURRENCY": "7", "PORT": "9123", "GUNICORN_THREADS": "2",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == '[7, "0.0.0.0:9123", 2]'


def _production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update({k: v for k, v in _env_example().items() if v})
    env.update(
        SECRET_KEY="a-production-like-key-" + "k" * 50,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PORTAL_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    return env


def test_check_deploy_is_clean_with_the_production_values(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_make_serve_prod_runs_gunicorn_a_worker_and_beat(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    port = free_port()
    env = _production_env(tmp_path)
    env.update(
        PORT=str(port), HOST="127.0.0.1", WEB_CONCURRENCY="2", CELERY_CONCURRENCY="1",
        CELERY_BROKER_URL=redis_server.url, REDIS_URL=redis_server.url,
        SECURE_SSL_REDIRECT="false", BEHIND_PROXY="false", ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(tmp_path / "static"), PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
        OPENSEARCH_URL="", SCICAT_URL="", DATACITE_URL="",
    )  # fmt: skip
    log = (tmp_path / "serve-prod.log").open("w")
    process = subprocess.Popen(
        ["make", "--no-print-directory", "serve-prod"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = (
            time.monotonic() + 600
        )  # collectstatic and migrate first; slow on a loaded machine
        status = 0
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status, _, _ = _get(f"http://127.0.0.1:{port}/readyz")
            except OSError:
                status = 0
            if status == 200:
                break
            time.sleep(1)
        output = (tmp_path / "serve-prod.log").read_text()
        assert status == 200, output[-3000:]
        home = _get(f"http://127.0.0.1:{port}/")
        assert home[0] == 200, (tmp_path / "serve-prod.log").read_text()[-4000:]
        css = re.search(rb"/static/css/portal\.[0-9a-f]{12}\.css", home[2])
        assert css, "static files are not the hashed, collected ones"
        static = _get(f"http://127.0.0.1:{port}{css.group().decode()}")
        assert static[0] == 200
        assert "immutable" in static[1]["Cache-Control"]
        assert home[1]["X-Request-ID"]
        metrics = _get(f"http://127.0.0.1:{port}/metrics")[2].decode()
        assert 'portal_http_responses_total{status="200"}' in metrics
        while time.monotonic() < deadline and not (
            "beat: Starting" in output and "ready." in output
        ):
            time.sleep(1)
            output = (tmp_path / "serve-prod.log").read_text()
        assert "beat: Starting" in output, output[-3000:]
        assert "ready." in output, output[-3000:]  # the Celery worker
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
