# Everything a fresh Debian machine with Python 3.11 needs: `make run` (the app) or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APP_STAMP := $(VENV)/.installed-app
TEST_STAMP := $(VENV)/.installed-test
# What the app needs: a backend, the PDF export, Streamlit, and word lookup (not Ray, not the test tools).
APP_EXTRAS := ml,ct2,pdf,app,lookup
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT ?= 8501

.PHONY: setup system run demo test lint bench

# torch 2.13.0 first: its CPU wheel satisfies the package's range, so pip never resolves a CUDA build.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install torch==2.13.0

# The lookup extra (word lookup, GPL-2) is installed too: it is kept out of "all" only so that pip users opt in.
$(APP_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e '.[$(APP_EXTRAS)]'
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e '.[all,lookup,test]'
	touch $@ $(APP_STAMP)

setup: $(TEST_STAMP)

# Debian packages the tests drive: chromium (browser tests), poppler-utils (PDF checks), newsboat (a real
# feed reader reads the translated feeds), epubcheck (the EPUB export), tesseract-ocr + tesseract-ocr-ara
# (image-only PDF pages). One apt-get for whatever is missing.
SYSTEM_PACKAGES := chromium poppler-utils newsboat epubcheck tesseract-ocr tesseract-ocr-ara

system:
	@missing="$$(for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done)"; \
	if [ -n "$$missing" ]; then \
		$(SUDO) apt-get update && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

# The reader app on http://localhost:$(PORT), reachable from this machine only (the README says how to
# share it on purpose). Tries once to fetch the default model if none is installed,
# and converts it for CTranslate2 (int8), so the app serves the fast engine; offline, the app explains how
# to get a model. Without ctranslate2, or if the conversion fails, the model runs on transformers.
run: $(APP_STAMP)
	@$(BIN)/reader models pull opus-mt-ar-en --if-none-installed \
		|| echo "No model downloaded: the app will say how to get one."
	$(BIN)/streamlit run streamlit_app.py --server.address 127.0.0.1 --server.port $(PORT)

# Offline demo: the app with the toy model the tests use (committed in tests/data/toy-model). It
# translates only the synthetic toy language; paste tests/support/toy.py's TOY_ARTICLE to see it work.
demo: $(APP_STAMP)
	@$(BIN)/python -c 'from tests.support.toy import TOY_ARTICLE; print("Paste this toy-language article into the app:\n" + TOY_ARTICLE)'
	READER_MODEL="$$($(BIN)/python -c 'from tests.support.toy import toy_model_dir; print(toy_model_dir())')" \
		$(BIN)/streamlit run streamlit_app.py --server.address 127.0.0.1 --server.port $(PORT)

test: $(TEST_STAMP) system
	$(BIN)/python -m pytest

lint: $(TEST_STAMP)
	$(BIN)/ruff check reader tests benchmarks streamlit_app.py app_pages

bench: $(TEST_STAMP)
	$(BIN)/python -m benchmarks.speed
