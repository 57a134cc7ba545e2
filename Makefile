# The two commands of the README:  make run   (the system on http://127.0.0.1:5000)
#                                   make test  (the whole test suite)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: install vendor run test lint services worker clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

vendor:
	scripts/vendor.sh

install: $(STAMP) vendor

run: $(STAMP) vendor
	$(BIN)/dispatch demo

worker: $(STAMP)
	$(BIN)/dispatch worker

services:
	scripts/services.sh

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) vendor services lint
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

clean:
	rm -rf $(VENV) instance build *.egg-info
