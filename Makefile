# Everything a fresh Debian machine with Python 3.11 needs: `make run` (the app) or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT ?= 8501

.PHONY: setup system run demo test lint bench

# torch 2.13.0 first: its CPU wheel satisfies the package's range, so pip never resolves a CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e '.[all,test]'
	touch $(STAMP)

setup: $(STAMP)

# Debian packages for the browser tests (chromium) and the PDF checks (poppler-utils).
system:
	@if ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null; then \
		$(SUDO) apt-get update && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y chromium poppler-utils; \
	fi

# The reader app on http://localhost:$(PORT). Tries once to fetch the default model if none is installed,
# and converts it for CTranslate2 (int8), so the app serves the fast engine; offline, the app explains how
# to get a model. Without ctranslate2, or if the conversion fails, the model runs on transformers.
run: setup
	@$(BIN)/reader models pull opus-mt-ar-en --if-none-installed \
		|| echo "No model downloaded: the app will say how to get one."
	$(BIN)/streamlit run streamlit_app.py --server.port $(PORT)

# Offline demo: the app with the toy model the tests train (about a minute, once). It translates
# only the synthetic toy language; paste tests/support/toy.py's TOY_ARTICLE to see it work.
demo: setup
	@$(BIN)/python -c 'from tests.support.toy import TOY_ARTICLE; print("Paste this toy-language article into the app:\n" + TOY_ARTICLE)'
	READER_MODEL="$$($(BIN)/python -c 'from tests.support.toy import toy_model_dir; print(toy_model_dir())')" \
		$(BIN)/streamlit run streamlit_app.py --server.port $(PORT)

test: setup system
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check reader tests benchmarks streamlit_app.py

bench: setup
	$(BIN)/python benchmarks/speed.py
