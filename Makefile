# The README's two commands are `make test` and `make serve`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
STORE  ?= var/store
PORT   ?= 5000

.PHONY: test serve bench lint system-deps

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

system-deps:
	.ci/system-deps

test: $(STAMP) system-deps
	$(PY) -m pytest

serve: $(STAMP)
	# exit 3: built, but a report was skipped or a fact dropped (listed above); serve it anyway.
	# Nothing changed since the last build: the store is left as it is, in about a second.
	$(VENV)/bin/policykg build kg/sources/*.txt --store $(STORE) || [ $$? -eq 3 ]
	$(VENV)/bin/policykg serve --store $(STORE) --host 127.0.0.1 --port $(PORT)

bench: $(STAMP)
	$(PY) -m bench

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
	rm -rf build/lint && $(PY) -c 'import setuptools; setuptools.setup()' -q build_py --build-lib build/lint
	cd build/lint && ../../$(VENV)/bin/mypy --config-file ../../pyproject.toml
