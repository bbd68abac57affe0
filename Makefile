# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
DEMO_PRODUCTS ?= 2000
DEMO_CLIENTS ?= 20

.PHONY: run test lint install messages migrate seed worker beat bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes, so a second `make run` starts in seconds.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

messages: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv -v0

migrate: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py migrate --noinput -v0

seed: migrate
	DEBUG=1 $(PY) manage.py seed_demo --products $(DEMO_PRODUCTS) --clients $(DEMO_CLIENTS) --if-empty

# Links in e-mails point at the address `make run` serves unless PORTAL_BASE_URL says otherwise.
PORTAL_BASE_URL ?= http://$(HOST):$(PORT)
# The demo ERP feed (portal/demo/feed.py) runs next to the server and stops with it, on the embedded
# default only (it gives the demo's products ERP ids); DEMO_FEED=0 leaves it out, DEMO_FEED=1 forces it.
DEMO_FEED ?= $(if $(DATABASE_URL),0,1)

run: messages seed
	@echo "Portal: http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@export PORTAL_BASE_URL='$(PORTAL_BASE_URL)'; \
	if [ "$(DEMO_FEED)" = 1 ]; then \
		DEBUG=$${DEBUG:-1} $(PY) manage.py erp_demo_feed & feed=$$!; \
		trap 'kill $$feed 2>/dev/null' EXIT INT TERM; \
	fi; \
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

test: $(VENV)/.installed-test messages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) scripts/run_tests.py $(ARGS)

worker: $(VENV)/.installed
	$(VENV)/bin/celery -A portal worker -l info

beat: $(VENV)/.installed
	$(VENV)/bin/celery -A portal beat -l info

bench: $(VENV)/.installed-test
	$(PY) bench/seed.py

clean:
	rm -rf var/portal.sqlite3* staticfiles
