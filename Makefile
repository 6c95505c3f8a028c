# The two commands of the README: `make run` and `make test`. Everything else helps them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
REQUIREMENTS := requirements.txt requirements-dev.txt $(wildcard requirements-infra.txt)
SYSTEM_DEPS := $(wildcard infra/scripts/install-*.sh)
DEMO_ADMIN_EMAIL ?= admin@example.com
DEMO_ADMIN_PASSWORD ?= admin-demo-password
DEMO_PRODUCTS ?= 48
# `make run PORT=8123 HOST=0.0.0.0` serves elsewhere.
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install system-deps lint check pytest bench clean

$(BIN)/.installed: $(REQUIREMENTS) pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(foreach r,$(REQUIREMENTS),-r $(r))
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(BIN)/.installed

## run: install, migrate, create the demo admin, seed a demo catalog, serve on :$(PORT)
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py ensure_demo_admin --email $(DEMO_ADMIN_EMAIL) --password $(DEMO_ADMIN_PASSWORD)
	$(BIN)/python manage.py seed_demo --products $(DEMO_PRODUCTS) --if-empty
	@echo "Serving on http://$(HOST):$(PORT)  (admin: $(DEMO_ADMIN_EMAIL) / $(DEMO_ADMIN_PASSWORD))"
	$(BIN)/daphne -b $(HOST) -p $(PORT) nexus.asgi:application

## system-deps: what the tests need from the system's package manager (nginx, chromium)
system-deps:
	@for script in $(SYSTEM_DEPS); do echo "==> $$script"; bash $$script || exit 1; done

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	DJANGO_SETTINGS_MODULE=nexus.settings.test $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=nexus.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

pytest: install system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## test: install everything, lint, check, and run the whole suite on the real services
test: lint check pytest

## bench: the load benchmarks of docs/performance.md, e.g. BENCH_ARGS="--only checkout"
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles .test-media
