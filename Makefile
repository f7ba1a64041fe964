# Yuqing (舆情): the two commands that matter are `make up` and `make test` (see README.md).
#
#   make up         fresh machine → environment, install, fetch + start Kafka and Elasticsearch, init,
#                   then the stages: the demo site and its crawler, the mailbox, the stream worker, the web app
#   make down       stop what `make up` started (data is kept under var/)
#   make test       everything the tests need (install, services, init), then every test
#   make test-fast  unit tests only: no services, no slow tests
#   make test-cluster  the fault tests on the local cluster (3 Kafka nodes, 2 Elasticsearch nodes), which it
#                   starts (`yuqing services up --cluster`); `make test` leaves them out
#   make lint       ruff check + format check
#   make lock       pin every dependency again in constraints.txt, after changing a requirement in pyproject.toml
#
# Variables: PYTHON (python3.11), VENV (.venv), PYTEST_ARGS (extra pytest arguments), CLUSTER (1: `make up`,
# `make down`, `make status` and `make init` use the local cluster instead of the single node).

PYTHON ?= python3.11
VENV ?= .venv
PYTEST_ARGS ?=
BIN := $(VENV)/bin
YUQING := $(BIN)/yuqing
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv install lock up down status services init stages stages-down test test-fast test-cluster lint \
	format docs

# CLUSTER=1: the services commands act on the cluster, and every command below reads where its brokers and
# search nodes are, and the replication to create topics and indices with, from `yuqing services env --cluster`
# (one place: ServicesSettings), written to var/cluster.env (Makefile syntax) and read back here. The file is
# made again when the install, config/settings.yaml or a SERVICES_* / YUQING_CONFIG_DIR variable changed.
CLUSTER ?=
CLUSTER_ENV := var/cluster.env
ifeq ($(CLUSTER),1)
SERVICES_FLAGS := --cluster
CLUSTER_FROM := $(shell { env | grep -E '^(SERVICES_|YUQING_CONFIG_DIR=)' | sort; \
	cat "$${YUQING_CONFIG_DIR:-config}/settings.yaml" 2>/dev/null; } | cksum | cut -d' ' -f1)
-include $(CLUSTER_ENV)
ifneq ($(CLUSTER_ENV_FROM),$(CLUSTER_FROM))
.PHONY: $(CLUSTER_ENV)
endif
ifdef CLUSTER_ENV_FROM  # (exported empty, they would be settings no command accepts)
export KAFKA_BOOTSTRAP_SERVERS KAFKA_REPLICATION_FACTOR KAFKA_MIN_INSYNC_REPLICAS ES_URL ES_REPLICAS
endif
$(CLUSTER_ENV): $(STAMP)
	@mkdir -p $(dir $@)
	@{ $(YUQING) services env --cluster && echo "CLUSTER_ENV_FROM := $(CLUSTER_FROM)"; } >$@.part && mv $@.part $@
endif

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'

venv: $(BIN)/python

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalled when pyproject.toml or the pins change. constraints.txt pins every dependency of every extra to
# the versions the tests ran with, so a fresh machine next year installs those, not the newest.
install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -c constraints.txt -e '.[dev,train]'
	touch $@

# After changing a requirement: resolve the pins again (uv pip compile, preferring what is installed);
# tests/unit/test_lock.py fails until then.
lock: | $(BIN)/python
	@[ -x $(BIN)/uv ] || $(BIN)/pip install -q -c constraints.txt uv
	$(BIN)/python deploy/lock.py

services: install
	$(YUQING) services up $(SERVICES_FLAGS)

init: services
	$(YUQING) init

# The stages `make up` runs in the background (deploy/stage.sh: pid files under var/run, logs under var/logs):
# the demo site and its crawler, the local mailbox, the stream worker, the web app.
STAGE := deploy/stage.sh
WEB_SECRET := var/web-secret

stages: init
	@$(STAGE) start crawl "demo site on 127.0.0.1:8765, crawled into Kafka posts.raw" \
		$(YUQING) crawl --serve-demo --schedule
	@$(STAGE) start mailbox "SMTP on 127.0.0.1:$${SMTP_PORT:-8025}, alert e-mails filed under var/mail/" \
		$(YUQING) mailbox
	@$(STAGE) start worker "posts.raw → Elasticsearch, alerts → e-mail (yuqing worker status)" \
		$(YUQING) worker
	@# The web app: a random session key kept in var/, the first admin's password printed once.
	@[ -s $(WEB_SECRET) ] || (umask 077; $(BIN)/python -c "import secrets; print(secrets.token_hex(32))" >$(WEB_SECRET))
	@$(YUQING) users bootstrap-admin
	@WEB_SECRET_KEY=$$(cat $(WEB_SECRET)) $(STAGE) start web "http://$${WEB_HOST:-127.0.0.1}:$${WEB_PORT:-8000}/" \
		$(YUQING) serve

stages-down:
	@for stage in web worker mailbox crawl; do $(STAGE) stop $$stage; done

up: stages
	@$(YUQING) services status $(SERVICES_FLAGS)

down: stages-down
	@if [ -x $(YUQING) ]; then $(YUQING) services down $(SERVICES_FLAGS); else echo "nothing to stop (no $(VENV))"; fi

status:
	$(YUQING) services status $(SERVICES_FLAGS)

# pytest exits 5 when it collected nothing: that is a failure here, never a pass.
test: init
	@$(BIN)/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; exit $$rc

test-fast: install
	$(BIN)/pytest -m "not slow and not integration" $(PYTEST_ARGS)

# The tests marked `cluster` (tests/integration/test_cluster_faults.py: nodes killed, paused and brought back
# while the stream runs; test_services_cluster.py). They need the cluster and take minutes: `make test` leaves
# them out (tests/conftest.py).
test-cluster: install
	$(YUQING) services up --cluster
	@$(BIN)/pytest -m cluster $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test-cluster: pytest collected no tests" >&2; fi; exit $$rc

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
