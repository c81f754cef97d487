# Two entry points for a newcomer: `make run` and `make test`. Both set themselves up from scratch.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit browser-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[all,dev]'
	touch $(STAMP)

## Suggest UNBIS descriptors for the bundled sample UN documents, zero-shot (no training data).
run: $(STAMP)
	@for f in samples/*.txt; do echo "== $$f"; $(BIN)/unbis suggest "$$f" --limit 10 || exit 1; done

## Lint, type-check and run every test (installs what the tests need, the browser included).
test: $(STAMP) browser-deps lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

browser-deps:
	@bash scripts/install-browser.sh

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
