# SmartCoop: `make run` serves the demo, `make test` runs the checks and the test suite.
# Both create .venv and install the project first. Settings come from the environment
# (README.md): with none set, SQLite under var/ and background tasks run in-process.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# Two workers (pytest-xdist, one test database each): the suite in about half the time on 2 cores.
PYTEST_ARGS ?= -n 2

# The Debian packages each target needs (scripts/system-packages.sh): installed when missing
# and possible, else make stops with the apt-get line to type.
system-packages-%:
	@scripts/system-packages.sh $*

.PHONY: bench install run test lint format messages compilemessages smoke contract check-deploy worker beat clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "SmartCoop needs Python 3.11 or newer (PYTHON=$(PYTHON))." >&2; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Embedded default: SQLite under var/, tasks in-process, no Redis needed.
# The local demo relaxes the staff MFA requirement; production keeps it on.
run: export DEBUG ?= 1
run: export SMARTCOOP_STAFF_MFA_REQUIRED ?= 0
run: export EMAIL_URL ?= file://$(CURDIR)/var/mail
run: system-packages-run install compilemessages
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "SmartCoop is served at http://$(HOST):$(PORT)/ (Ctrl-C to stop)."
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# pytest exits 5 when it collected no test: that fails too, with a message.
# The development targets run with DEBUG off and no SECRET_KEY: they may use the development
# key (SMARTCOOP_ALLOW_DEV_SECRET=1); production refuses to start without SECRET_KEY.
test bench messages compilemessages worker beat lint: export SMARTCOOP_ALLOW_DEV_SECRET ?= 1
test: system-packages-test install lint compilemessages
	@$(BIN)/pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no test: failing." >&2; fi; \
	exit $$status

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	$(BIN)/python manage.py makemessages -l fr -l nl -l en -e html,txt,py --ignore=.venv --ignore=staticfiles --ignore=var --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv

# Compiles the catalogs under locale/ when there are any. Without msgfmt (Debian package
# gettext) it says so and goes on, except in CI (CI=true), where that is an error.
compilemessages: install
	@if [ ! -d locale ]; then \
		echo "No locale/ directory: no catalog to compile."; \
	elif command -v msgfmt >/dev/null 2>&1; then \
		$(BIN)/python manage.py compilemessages --ignore=.venv -v0 && echo "Catalogs compiled."; \
	elif [ "$$CI" = "true" ]; then \
		echo "msgfmt not found: install the Debian package gettext." >&2; exit 1; \
	else \
		echo "msgfmt not found (Debian package gettext): catalogs not compiled."; \
	fi

# Production-like run against PostgreSQL and Redis: gunicorn, a Celery worker and beat,
# a login over HTTP and a real task (scripts/smoke.sh; CI runs it).
smoke: install
	bash scripts/smoke.sh

# The API against its OpenAPI schema with schemathesis, on PostgreSQL (scripts/api_contract.sh;
# CI runs it after the smoke test).
contract: install
	bash scripts/api_contract.sh

# Django's deployment checklist on the current environment (DEBUG defaults to 0 here):
# set SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL... as in production first.
check-deploy: export DEBUG ?= 0
check-deploy: install
	$(BIN)/python manage.py check --deploy --fail-level WARNING

worker: install
	$(BIN)/celery -A smartcoop worker -l info

beat: install
	mkdir -p var
	$(BIN)/celery -A smartcoop beat -l info -s var/celerybeat-schedule

clean:
	rm -rf var/ staticfiles/ .pytest_cache .ruff_cache

# The benchmarks of issues 6 and 13 on a fresh PostgreSQL database filled by generate_dataset
# (about 10 minutes at full size, more on a busy machine), then docs/BENCHMARKS.md.
# BENCH_SCALE=0.05 for a quick run; BENCH_ARGS="--only 7,8" for some figures only.
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
BENCH_DB ?= smartcoop_bench
BENCH_SCALE ?= smart
BENCH_ARGS ?=
bench: install compilemessages
	@command -v psql >/dev/null || { echo "make bench needs psql and PostgreSQL ($(BENCH_PG))." >&2; exit 1; }
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	psql "$(BENCH_PG)/postgres" -q -c 'DROP DATABASE IF EXISTS $(BENCH_DB)' -c 'CREATE DATABASE $(BENCH_DB)'
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) $(BIN)/python manage.py generate_dataset --scale $(BENCH_SCALE) --year 2025 --seed 1
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) MEDIA_ROOT=$(CURDIR)/var/bench-media $(BIN)/python manage.py bench $(BENCH_ARGS)
