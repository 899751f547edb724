# The README's two commands: `make demo` and `make test` (CONTRACT §1).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium

export TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
export TEST_REDIS_URL    ?= redis://127.0.0.1:6379/15
# The suite on both cores (pytest-xdist; each worker has its own PostgreSQL database,
# tests/conftest.py); the browser tests stay together in one worker (tests/e2e/conftest.py).
PYTEST_WORKERS ?= 2

.PHONY: demo test lint nlu-score bench install browser intent-model

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,e2e]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) main.py demo

# The browser tests (tests/e2e) drive Debian's Chromium through Playwright; no browser is
# ever downloaded by Playwright. Installed here when missing and we are root (CI is).
browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	  else \
	    echo "warning: no $(CHROMIUM): tests/e2e will be skipped (CI fails); apt-get install chromium"; \
	  fi; \
	fi

test: $(STAMP) browser
	$(PY) -m ruff check .
	$(PY) -m mypy bot nlp handlers models settings.py main.py
	@# Temporary files (the SQLite test databases) on tmpfs: no fsync per commit.
	TMPDIR=$${TMPDIR:-$$([ -w /dev/shm ] && echo /dev/shm || echo /tmp)} \
	  $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

# The gold sets: the team's dev set, our held-out set, the fresh set with its tail and the three unseen sets (tests/nlp/, issue 14).
nlu-score: $(STAMP)
	$(PY) main.py parse --now 2026-11-27T10:00 --jsonl < ../shared/nlu/dev.jsonl > pred.jsonl
	$(PY) ../shared/nlu/score.py ../shared/nlu/dev.jsonl pred.jsonl --errors 20
	$(PY) main.py parse --now 2026-11-27T10:00 --jsonl < tests/nlp/heldout.jsonl > pred-heldout.jsonl
	$(PY) ../shared/nlu/score.py tests/nlp/heldout.jsonl pred-heldout.jsonl --errors 20
	$(PY) main.py parse --now 2026-11-27T10:00 --jsonl < tests/nlp/fresh.jsonl > pred-fresh.jsonl
	$(PY) ../shared/nlu/score.py tests/nlp/fresh.jsonl pred-fresh.jsonl --errors 20
	$(PY) main.py parse --now 2026-11-27T10:00 --jsonl < tests/nlp/fresh_tail.jsonl > pred-tail.jsonl
	$(PY) ../shared/nlu/score.py tests/nlp/fresh_tail.jsonl pred-tail.jsonl --errors 20
	$(PY) main.py parse --now 2026-11-27T10:00 --jsonl < tests/nlp/dev_families3.jsonl > pred-dev3.jsonl
	$(PY) ../shared/nlu/score.py tests/nlp/dev_families3.jsonl pred-dev3.jsonl --errors 20
	$(PY) main.py parse --now 2026-11-27T10:00 --jsonl < tests/nlp/unseen.jsonl > pred-unseen.jsonl
	$(PY) ../shared/nlu/score.py tests/nlp/unseen.jsonl pred-unseen.jsonl --errors 20
	$(PY) main.py parse --now 2026-11-27T10:00 --jsonl < tests/nlp/unseen2.jsonl > pred-unseen2.jsonl
	$(PY) ../shared/nlu/score.py tests/nlp/unseen2.jsonl pred-unseen2.jsonl --errors 20
	$(PY) main.py parse --now 2026-11-27T10:00 --jsonl < tests/nlp/unseen3.jsonl > pred-unseen3.jsonl
	$(PY) ../shared/nlu/score.py tests/nlp/unseen3.jsonl pred-unseen3.jsonl --errors 20

bench: $(STAMP)
	for b in bench/bench_*.py; do $(PY) $$b || exit 1; done

# The statistical intent model (nlp/intent_model.py): trained from the repo's labelled
# corpora, threshold by leave-one-corpus-out; writes nlp/intent_model.json (committed).
intent-model: $(STAMP)
	$(PY) -c "from nlp.intent_model import main; main()"
