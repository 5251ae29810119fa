# Every target sets itself up: a fresh clone needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench i18n clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot serve

lint: $(STAMP)
	$(BIN)/ruff check bot handlers tests bench
	$(BIN)/ruff format --check bot handlers tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench --postgres

# Re-extract every marked sentence into bot/locale/messages.pot, then merge it into each
# language's catalog (new languages get one: --init-missing). No line numbers in the catalogs,
# so moving code does not touch the translators' files.
LANGUAGES := de fr es ja pt_BR
i18n: $(STAMP)
	$(BIN)/pybabel extract -F pyproject.toml -o bot/locale/messages.pot --no-location \
		--add-comments=Translators: --project="Rescue PIN for Slack" --version=0.1.0 \
		--copyright-holder="Rescue PIN for Slack" .
	for lang in $(LANGUAGES); do \
		$(BIN)/pybabel update -i bot/locale/messages.pot -d bot/locale -l $$lang \
			--init-missing --ignore-obsolete --ignore-pot-creation-date || exit 1; \
	done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
