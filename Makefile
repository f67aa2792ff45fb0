# Quartiersmonitor: `make app` starts the app, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STORE ?= $(or $(QMON_STORE),data/musterstadt.gpkg)
PORT ?= 8501
SERVE_PORT ?= 5000

.PHONY: app serve test lint demo bench install assets clean screenshots

install: $(STAMP)

## the web map's scripts and stylesheets, from the npm registry, served by the app itself
assets:
	bash scripts/vendor_assets.sh

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

## make app: install, build the demo store if it is missing, start the app on http://localhost:8501
app: $(STAMP) assets
	$(BIN)/qmon demo --store $(STORE) --if-missing
	QMON_STORE=$(STORE) QMON_LOCAL_ADMIN=1 $(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true \
	  --browser.gatherUsageStats false

## make serve: the public layers of STORE as OGC API - Features on http://localhost:5000 (read-only;
## run it in a second terminal next to `make app`: both read the same store)
serve: $(STAMP)
	$(BIN)/qmon demo --store $(STORE) --if-missing
	$(BIN)/qmon serve --store $(STORE) --port $(SERVE_PORT)

## make demo: rebuild the demo city store from scratch
demo: $(STAMP)
	rm -f $(STORE)
	$(BIN)/qmon demo --store $(STORE)

## make test: install everything (PostGIS included) and run ruff, mypy and pytest
test: $(STAMP) assets
	bash scripts/test.sh

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports && $(BIN)/mypy geo indicators monitoring

## make bench: run the benchmarks and write benchmarks/results/latest.json
bench: $(STAMP)
	bash scripts/ensure_postgres.sh
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks.readme

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

## make screenshots: every page of the demo app and two report pages as PNG in docs/screens/
screenshots: $(STAMP) assets
	$(BIN)/python scripts/screenshots.py
