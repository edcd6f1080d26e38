# sozialmonitor – the two commands of the quick start are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_PORT ?= 54329
export SOZIALMONITOR_TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:$(PG_PORT)/sozialmonitor_test
# Debian packages: the report (WeasyPrint needs Pango, Cairo and fonts) and the tests (PostgreSQL, poppler)
APT_DEMO_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libcairo2 fonts-dejavu-core
APT_TEST_PACKAGES := $(APT_DEMO_PACKAGES) postgresql postgresql-15-postgis-3 poppler-utils chromium

.PHONY: demo test bench lint typecheck pytest install install-dev system-deps demo-deps pg-start pg-stop lock docs clean

DEMO_FILE := sozialmonitor.sqlite
DEMO_DB := sqlite:///$(DEMO_FILE)
DEMO_PORT ?= 8000

## make demo: install, build the Jena demo database from the bundled real data, publish and release every year
## (protection + audit), write the public report, serve the web app
demo: demo-deps $(BIN)/.installed node_modules/.installed
	@# a build only loads into an empty database: an earlier one is kept aside, never overwritten
	@if [ -f $(DEMO_FILE) ]; then stamp=$$(date +%Y%m%d-%H%M%S); \
	  for f in $(DEMO_FILE) $(DEMO_FILE)-wal $(DEMO_FILE)-shm; do [ -f $$f ] && mv $$f $$f.$$stamp.bak; done; \
	  echo "Bisherige Datenbank gesichert / previous database kept: $(DEMO_FILE).$$stamp.bak"; fi
	$(BIN)/sozialmonitor demo --db $(DEMO_DB)
	$(BIN)/sozialmonitor publish --all --db $(DEMO_DB)
	$(BIN)/sozialmonitor release --all-years --user demo --db $(DEMO_DB)
	$(BIN)/sozialmonitor report --year 2017 --compare-year 2012 --out bericht \
	  --sources src/sozialmonitor/demo/jena/SOURCES.md --db $(DEMO_DB)
	@echo "Lebenslagenbericht / report: $(CURDIR)/bericht"
	$(BIN)/sozialmonitor serve --dev --host 127.0.0.1 --port $(DEMO_PORT) --db $(DEMO_DB)

## make test: install test needs (Debian packages included), start PostgreSQL, run lint, types and tests
test: export SOZIALMONITOR_REQUIRE_PG = 1
test: export SOZIALMONITOR_REQUIRE_BROWSER = 1
test: system-deps $(BIN)/.installed-dev node_modules/.installed pg-start
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadfile

## make bench: the figures the issues ask for (median of several runs, peak memory)
bench: $(BIN)/.installed-dev
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"

$(BIN)/.installed: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(BIN)/.installed-dev: requirements-dev.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@ $(BIN)/.installed

## front-end libraries (Leaflet, Vega, axe-core) from npm into the git-ignored node_modules, served locally
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/.installed
install-dev: $(BIN)/.installed-dev

## Debian packages; each step is skipped when the packages are already present
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

system-deps:
	$(call apt_install,$(APT_TEST_PACKAGES))

demo-deps:
	$(call apt_install,$(APT_DEMO_PACKAGES))

pg-start:
	SOZIALMONITOR_PG_PORT=$(PG_PORT) scripts/pg-test.sh start

pg-stop:
	SOZIALMONITOR_PG_PORT=$(PG_PORT) scripts/pg-test.sh stop

## regenerate the hashed requirement files (needs uv: pip install uv)
lock:
	uv pip compile requirements.in --generate-hashes --python-version 3.11 -o requirements.txt -q
	uv pip compile requirements-dev.in --generate-hashes --python-version 3.11 -o requirements-dev.txt -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
