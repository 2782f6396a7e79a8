# VoiceCoach: `make demo` runs a whole practice session; `make test` runs every test tier.
# Both set up what they need first: system packages (apt-get), then a virtualenv in .venv/.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# espeak-ng: the persona's voice (pyttsx3); libportaudio2: microphone and speakers (sounddevice);
# python3-venv: the virtualenv itself on Debian/Ubuntu.
SYSTEM_PACKAGES      := espeak-ng libportaudio2 python3-venv
# sox builds test audio; pulseaudio + libasound2-plugins give the live-loop tests a real audio
# server with a virtual microphone and speaker; chromium loads report.html in the browser tests.
TEST_SYSTEM_PACKAGES := $(SYSTEM_PACKAGES) sox pulseaudio pulseaudio-utils libasound2-plugins chromium

.PHONY: demo test setup setup-dev lint typecheck check bench-tone bench-wording bench-grade bench-live bench-soak fixtures clean

demo: setup
	$(BIN)/voicecoach demo

test: setup-dev
	$(BIN)/python -m pytest

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "setup: VoiceCoach needs Python 3.10 or newer")'
	@scripts/setup_system.sh $(SYSTEM_PACKAGES)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.installed: $(VENV)/.python-ok pyproject.toml
	@scripts/setup_system.sh $(SYSTEM_PACKAGES)
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.python-ok pyproject.toml
	@scripts/setup_system.sh $(TEST_SYSTEM_PACKAGES)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed

lint: setup-dev
	$(BIN)/ruff check voicecoach tests benchmarks scripts
	$(BIN)/ruff format --check voicecoach tests benchmarks scripts

typecheck: setup-dev
	$(BIN)/mypy

check: lint typecheck test

bench-tone: setup-dev
	$(BIN)/python benchmarks/tone_bench.py --regen

bench-wording: setup-dev
	$(BIN)/python benchmarks/wording_bench.py

bench-grade: setup-dev
	$(BIN)/python benchmarks/grade_bench.py

bench-live: setup-dev
	$(BIN)/python benchmarks/live_bench.py

bench-soak: setup-dev
	$(BIN)/python benchmarks/soak_bench.py

fixtures: setup-dev
	$(BIN)/python scripts/make_fixtures.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
