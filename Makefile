# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test install install-dev assets

run: install assets  ## install, migrate, load the demo data and serve on SQLite
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py runserver $(HOST)

test: install-dev assets  ## install with the test tools and run the whole suite, on two processes
	$(PY) -m pytest -n 2

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

install: $(PY)
	$(PY) -m pip install --quiet -e .

install-dev: $(PY)
	$(PY) -m pip install --quiet -e ".[dev,browser]"

assets:
	npm ci --no-audit --no-fund --loglevel=error
