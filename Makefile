# SmartCoop: `make run` serves the demo, `make test` runs the checks and the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint format messages bench worker beat clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install -e '.[dev]'
	touch $(STAMP)

# Embedded default: SQLite under var/, tasks in-process, no Redis needed.
run: export DEBUG ?= 1
run: export SMARTCOOP_STAFF_MFA_REQUIRED ?= 0
run: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "SmartCoop is served at http://127.0.0.1:8000 (Ctrl-C to stop)."
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0 2>/dev/null || true
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	$(BIN)/python manage.py makemessages -l fr -l nl -l en --ignore=.venv --ignore=staticfiles
	$(BIN)/python manage.py compilemessages --ignore=.venv

worker: install
	$(BIN)/celery -A smartcoop worker -l info

beat: install
	$(BIN)/celery -A smartcoop beat -l info

clean:
	rm -rf var/ staticfiles/ .pytest_cache .ruff_cache
