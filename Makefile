# Yuqing (舆情): the two commands that matter are `make up` and `make test` (see README.md).
#
#   make up         fresh machine → environment, install, fetch + start Kafka and Elasticsearch, init,
#                   then the stages (hook below: the demo source, crawler, workers, web app join it later)
#   make down       stop what `make up` started (data is kept under var/)
#   make test       everything the tests need (install, services, init), then every test
#   make test-fast  unit tests only: no services, no slow tests
#   make lint       ruff check + format check
#
# Variables: PYTHON (python3.11), VENV (.venv), PYTEST_ARGS (extra pytest arguments).

PYTHON ?= python3.11
VENV ?= .venv
PYTEST_ARGS ?=
BIN := $(VENV)/bin
YUQING := $(BIN)/yuqing
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv install up down status services init stages stages-down test test-fast lint format docs

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'

venv: $(BIN)/python

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalled when pyproject.toml changes (new dependency, new entry point).
install: $(STAMP)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e '.[dev,train]'
	touch $@

services: install
	$(YUQING) services up

init: services
	$(YUQING) init

# The stages `make up` runs in the background (pid files under var/run, logs under var/logs): for now the demo
# site and the crawler crawling it into Kafka; the workers and the web app join here with their issues.
RUN := var/run
LOGS := var/logs
CRAWL_PID := $(RUN)/crawl.pid
WEB_PID := $(RUN)/web.pid
WEB_SECRET := var/web-secret

stages: init
	@mkdir -p $(RUN) $(LOGS)
	@if [ -f $(CRAWL_PID) ] && kill -0 $$(cat $(CRAWL_PID)) 2>/dev/null; then \
		echo "crawler: already running (pid $$(cat $(CRAWL_PID)))"; \
	else \
		nohup $(YUQING) crawl --serve-demo --schedule >>$(LOGS)/crawl.out 2>&1 & echo $$! >$(CRAWL_PID); \
		echo "crawler: demo site on 127.0.0.1:8765, crawling it into Kafka posts.raw (log $(LOGS)/crawl.out)"; \
	fi
	@# --- web app (dashboards/): a random session key kept in var/, the first admin's password printed once ---
	@[ -s $(WEB_SECRET) ] || (umask 077; $(BIN)/python -c "import secrets; print(secrets.token_hex(32))" >$(WEB_SECRET))
	@$(YUQING) users bootstrap-admin
	@if [ -f $(WEB_PID) ] && kill -0 $$(cat $(WEB_PID)) 2>/dev/null; then \
		echo "web app: already running (pid $$(cat $(WEB_PID)))"; \
	else \
		WEB_SECRET_KEY=$$(cat $(WEB_SECRET)) nohup $(YUQING) serve >>$(LOGS)/web.out 2>&1 & echo $$! >$(WEB_PID); \
		echo "web app: http://$${WEB_HOST:-127.0.0.1}:$${WEB_PORT:-8000}/ (log $(LOGS)/web.out)"; \
	fi

stages-down:
	@if [ -f $(CRAWL_PID) ]; then \
		kill $$(cat $(CRAWL_PID)) 2>/dev/null && echo "crawler: stopped" || echo "crawler: was not running"; \
		rm -f $(CRAWL_PID); \
	fi
	@if [ -f $(WEB_PID) ]; then \
		kill $$(cat $(WEB_PID)) 2>/dev/null && echo "web app: stopped" || echo "web app: was not running"; \
		rm -f $(WEB_PID); \
	fi

up: stages
	@$(YUQING) services status

down: stages-down
	@if [ -x $(YUQING) ]; then $(YUQING) services down; else echo "nothing to stop (no $(VENV))"; fi

status:
	$(YUQING) services status

# pytest exits 5 when it collected nothing: that is a failure here, never a pass.
test: init
	@$(BIN)/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; exit $$rc

test-fast: install
	$(BIN)/pytest -m "not slow and not integration" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The configuration reference in README.md, generated from the settings' descriptions.
docs: install
	$(BIN)/python -c "import re, pathlib; from yuqing.settings import reference; \
	p = pathlib.Path('README.md'); b, e = '<!-- settings-reference:begin -->', '<!-- settings-reference:end -->'; \
	p.write_text(re.sub(re.escape(b) + '.*?' + re.escape(e), lambda m: b + chr(10) + reference() + e, \
	p.read_text(), flags=re.S))"
