# salessim: `make demo` runs the main job, `make test` the whole suite. Both set up .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: venv fonts demo test test-fast lint bench golden lab dashboard clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# The CJK font of the Chinese reports' charts (Debian fonts-noto-cjk; idempotent).
fonts:
	bash .ci/install-fonts

demo: $(STAMP)
	$(BIN)/salessim run data/scenarios/midmarket.yaml --out reports/demo
	$(BIN)/salessim report all --out reports/

# The browser tests need Debian's Chromium: installed here when possible (root or sudo), else a
# one-line instruction and a failure (never a silent skip). `make test-fast` needs no browser.
test: $(STAMP) fonts
	@bash .ci/install-browser || { echo "make test: Chromium missing: run 'sudo bash .ci/install-browser', or 'make test-fast' to leave the browser tests out" >&2; exit 1; }
	$(BIN)/ruff check salessim tests benchmarks
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser"

lint: $(STAMP)
	$(BIN)/ruff check salessim tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --record $(AREAS)

# Re-record the golden digests after a change meant to move results (say why in the commit).
golden: $(STAMP)
	$(BIN)/python -m tests.golden.record --diff
	$(BIN)/python -m tests.golden.record

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

dashboard: $(STAMP)
	$(BIN)/salessim dashboard

clean:
	rm -rf $(VENV) reports/*/ .pytest_cache
