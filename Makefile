# iamconsole: `make run` to try it, `make test` to run every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run serve test install check-python lint format bench clean

check-python:
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 12) else 1)' || { \
	  echo "iamconsole needs Python 3.12 or newer (3.13 recommended); '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Django 6.1 refuses older Pythons. With pyenv, the .python-version file selects 3.13;"; \
	  echo "otherwise run: make PYTHON=/path/to/python3.13 <target>"; exit 1; }

$(STAMP): requirements.txt requirements-dev.txt | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

install: check-python $(STAMP)

run: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py sandbox demo
	$(PY) manage.py runserver 127.0.0.1:8000

# The production server (README "Deployment"): migrate, collect the hashed static files, then gunicorn.
# Workers: $$WEB_CONCURRENCY sync workers (3 by default: measured best on 2 cores, bench/load.py), or
# gthread workers of $$GUNICORN_THREADS threads when it is above 1; address: BIND=host:port
# (127.0.0.1:8000 by default).
BIND ?= 127.0.0.1:8000
serve: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(VENV)/bin/gunicorn iamconsole.wsgi:application --bind $(BIND) --workers $${WEB_CONCURRENCY:-3} \
	  $$(if [ "$${GUNICORN_THREADS:-1}" -gt 1 ]; then echo --worker-class gthread --threads $$GUNICORN_THREADS; fi) \
	  --timeout 30 --graceful-timeout 30 --no-control-socket

PYTEST_ARGS ?=
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(PY) bench/engine.py

clean:
	rm -rf $(VENV) var
