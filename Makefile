# Stick-Gen: `make run` and `make test` set up .venv on first use (torch CPU wheel first, then the pinned stack).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: install run example app test test-all bench clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -r requirements.txt
	$(BIN)/pip install --no-deps -e .
	touch $@

# The main job: text to animation with the shipped small model (PROMPT="..." make run for another).
PROMPT ?= a person waves
run: install
	$(BIN)/stick-gen "$(PROMPT)" -o out/wave.mp4 -o out/wave.motion --seed 7

# Render the bundled hand-made example (no model involved).
example: install
	$(BIN)/stick-gen render examples/wave.motion -o out/example.mp4 -o out/example.gif

app: install
	$(BIN)/python app.py

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Everything, including the slow tests (training runs, long renders).
test-all: install
	$(BIN)/python -m pytest -m ""

bench: install
	$(BIN)/python benchmarks/bench_motion.py

clean:
	rm -rf $(VENV) out .pytest_cache
