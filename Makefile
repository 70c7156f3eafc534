# Two commands on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test venv tools clean bench bench-extraction

# The package is byte-compiled at install: a shell with PYTHONDONTWRITEBYTECODE
# would compile it from source on every run (~0.1 s of each one-article build).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q publisher > /dev/null
	touch $(STAMP)

venv: $(STAMP)

## Render every article in seeds/ into out/ (EPUB and PDF).
demo: $(STAMP)
	$(BIN)/publisher build seeds -o out

## Lint, type-check and run the whole test suite against the real validators.
test: $(STAMP) tools
	$(BIN)/ruff check publisher tests
	$(BIN)/ruff format --check publisher tests
	$(BIN)/mypy
	$(BIN)/pytest -q

## Benchmarks vs plain WeasyPrint and pandoc (~25 min; BENCH_ARGS=--quick: ~3 min).
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

## Web-page reading vs trafilatura on fetched test suites: make bench-extraction SUITES="dir1 dir2".
bench-extraction: $(STAMP)
	$(BIN)/python -m benchmarks.extraction $(SUITES)

## EPUBCheck, veraPDF, DAISY Ace, calibre, chromium, poppler...: installed where missing.
tools:
	bash scripts/test-tools.sh

clean:
	rm -rf $(VENV) .tools out build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
