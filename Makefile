# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The address printed in QR codes and links, and the only host a scanned QR may name: where `make run` serves,
# unless PUBLIC_BASE_URL is set (e.g. a tunnel a phone can reach). Every step of `make run` gets it.
PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)
MANAGE := PUBLIC_BASE_URL="$(PUBLIC_BASE_URL)" $(PY) manage.py

.PHONY: run test install migrate seed serve bench lint format schema clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

## make run: install, migrate, load the demo data, serve on SQLite (or DATABASE_URL), with a background worker
## (imports, large issuances: ADR 0009) that starts with the server and stops with it.
run: $(STAMP)
	@$(MANAGE) migrate --noinput -v 0
	@$(MANAGE) ensure_signing_key
	@$(MANAGE) seed_demo
	@$(MANAGE) welcome
	@$(MANAGE) db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST):$(PORT)

## make test: the whole suite; PostgreSQL when DATABASE_URL is set or one answers on 127.0.0.1:5432.
## TEST_WORKERS processes share the tests, a file's tests kept together (pytest-xdist; each has its own test
## database): one per core by default, 0 for this process alone. The few marked `serial` (they restart
## PostgreSQL) then run alone. PYTEST_ARGS goes to both parts (a part with nothing selected is no failure).
TEST_WORKERS ?= auto
test: $(STAMP)
	@url="$$($(PY) -m config.dbprobe)"; \
	if [ -n "$$url" ]; then echo "make test: PostgreSQL ($${url%%@*}@...)"; else echo "make test: SQLite (no PostgreSQL found; PostgreSQL-only tests will skip)"; fi; \
	export DATABASE_URL="$$url"; \
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not serial" $(PYTEST_ARGS); parallel=$$?; \
	echo "make test: the tests marked serial, alone"; \
	$(PY) -m pytest -m serial $(PYTEST_ARGS); serial=$$?; \
	[ $$parallel -eq 5 ] && parallel=0; [ $$serial -eq 5 ] && serial=0; \
	[ $$parallel -eq 0 ] && [ $$serial -eq 0 ]

bench: $(STAMP)
	@url="$$($(PY) -m config.dbprobe)"; test -n "$$url" || { echo "make bench needs PostgreSQL"; exit 2; }; \
	DATABASE_URL="$$url" $(PY) -m bench $(BENCH_ARGS)

lint: $(STAMP)
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .

format: $(STAMP)
	@$(PY) -m ruff format .
	@$(PY) -m ruff check --fix .

schema: $(STAMP)
	@$(PY) manage.py spectacular --validate --fail-on-warn --file var/openapi.yaml && echo "var/openapi.yaml"

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
