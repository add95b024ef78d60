# Two commands set everything up: `make run` and `make test`. `make help` lists the rest.

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Local runs use the dev settings with DEBUG off: the site as patients get it.
RUN_ENV := DJANGO_SETTINGS_MODULE=clinic_site.settings.dev DJANGO_DEBUG=0

# Django 6.1 needs Python 3.12+. Take python3 when it is new enough, else python3.13 or
# python3.12 on PATH, else one installed by pyenv (whose shims refuse versions that are
# not selected, so we look in its versions folder directly).
define find_python
for candidate in python3 python3.13 python3.12 \
    $$(ls -d "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 2>/dev/null \
       | sort -rV); do \
  if "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
    command -v "$$candidate"; exit 0; \
  fi; \
done; exit 1
endef

.DEFAULT_GOAL := help
.PHONY: help run test lint check-content install install-dev migrate content static superuser clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(PY):
	@python="$$($(find_python))" || { echo "make: no Python 3.12 or newer found (tried python3, python3.13, python3.12 and pyenv); install one." >&2; exit 1; }; \
	echo "Creating $(VENV) with $$python ($$("$$python" --version))"; \
	"$$python" -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed ## Create .venv and install the site

install-dev: $(VENV)/.installed-dev ## Install the site and its test tools

migrate: install ## Apply database migrations (SQLite under var/ unless DATABASE_URL says otherwise)
	$(RUN_ENV) $(PY) manage.py migrate --no-input

content: migrate ## Load content/ into the database
	$(RUN_ENV) $(PY) manage.py import_content

static: install ## Collect, hash and compress static files
	$(RUN_ENV) $(PY) manage.py collectstatic --no-input --verbosity 0

run: content static ## Install, migrate, load content/ and serve on 127.0.0.1:$(PORT)
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl+C stops)"
	$(RUN_ENV) PORT=$(PORT) $(VENV)/bin/gunicorn -c clinic_site/gunicorn.conf.py clinic_site.wsgi

superuser: migrate ## Create a staff login for the admin
	$(RUN_ENV) $(PY) manage.py createsuperuser

lint: install-dev ## ruff, Django's checks and a check for missing migrations
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=clinic_site.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=clinic_site.settings.test $(PY) manage.py makemigrations --check --dry-run

# A throwaway database, so the check never touches the one `make run` serves.
CHECK_DB := DATABASE_URL=sqlite:///var/check-content.sqlite3

check-content: install ## Check the copy in content/ and the templates against the content guide
	@mkdir -p var && rm -f var/check-content.sqlite3
	@$(CHECK_DB) $(RUN_ENV) $(PY) manage.py migrate --no-input --verbosity 0
	@$(CHECK_DB) $(RUN_ENV) $(PY) manage.py import_content --verbosity 0
	$(CHECK_DB) $(RUN_ENV) $(PY) manage.py check_content

# The Nu HTML Checker (vnu.jar) that tests/test_html_valid.py runs and axe-core, which
# tests/test_accessibility.py injects into chromium, pinned in package-lock.json.
# --ignore-scripts: vnu's postinstall would fetch a Java runtime from the internet when
# none is installed; the tests use the system's java instead.
node_modules: package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --ignore-scripts --no-audit --no-fund && touch $@; \
	else \
	  echo "make: npm not found, so the HTML checker is not installed; its test will be skipped."; \
	fi

test: lint check-content node_modules ## Run every check and test
	$(VENV)/bin/pytest

clean: ## Remove .venv, var/ and collected files
	rm -rf $(VENV) var artifacts .pytest_cache node_modules
