# Two commands on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test venv java calibre clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## Render every article in seeds/ into out/ (EPUB and PDF).
demo: $(STAMP)
	$(BIN)/publisher build seeds -o out

## Lint, type-check and run the whole test suite (EPUBCheck needs Java).
test: $(STAMP) java calibre
	$(BIN)/ruff check publisher tests
	$(BIN)/ruff format --check publisher tests
	$(BIN)/mypy
	$(BIN)/pytest -q

## Benchmarks vs plain WeasyPrint and pandoc (~25 min; BENCH_ARGS=--quick: ~3 min).
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

java:
	@command -v java >/dev/null 2>&1 || { \
	  echo "make test needs Java 11 or newer to run EPUBCheck. Install it, e.g. 'apt-get install default-jre-headless', then run 'make test' again." >&2; \
	  exit 1; }

calibre:
	@command -v ebook-meta >/dev/null 2>&1 || { \
	  echo "make test needs calibre's ebook-meta to check that e-readers find the cover. Install it, e.g. 'apt-get install --no-install-recommends calibre', then run 'make test' again." >&2; \
	  exit 1; }

clean:
	rm -rf $(VENV) out build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
