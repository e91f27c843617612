# The two commands of a new user: `make demo` and `make test`. Everything else serves them; `make help` lists it.
# A line `## target: text` (continued on the `## ` lines right below it) documents the target under it for `make help`.
MAKEFILE := $(lastword $(MAKEFILE_LIST))
PYTHON_VERSION := $(shell python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAGE := $(CURDIR)/build/ansible_collections/opsforge/delivery
COLLECTIONS := $(CURDIR)/build/collections
export PATH := $(BIN):$(PATH)
export ANSIBLE_FORCE_COLOR ?= 0
ANSIBLE_TEST := cd $(STAGE) && $(BIN)/ansible-test
VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)

.PHONY: demo help test check venv stage build install package examples units units-oldest sanity lint docs docs-check molecule ee awx reliability integration compat importer benchmark sandbox-start sandbox-stop clean changelog

## demo: set everything up, run playbooks/demo.yml against the sandbox twice (the second run changes nothing)
demo: install
	@tools/sandbox/sandbox.sh start
	@ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) tools/demo/run_demo.sh; status=$$?; tools/sandbox/sandbox.sh stop; exit $$status

## test: the whole suite: unit tests, sanity, lint, the built collection's docs, the docs site, the roles, an AWX job,
## the EE definition, the reliability suite, which runs every integration target too (at -vvvv), and compat: every
## integration target and every plugin's EXAMPLES on every supported ansible-core
test: units sanity lint package docs-check molecule awx ee reliability compat

## help: every target with what it does, from these `##` lines
help:
	@awk '/^## [a-z][a-z-]*: / { n++; name[n] = substr($$2, 1, length($$2) - 1); text[n] = substr($$0, length($$2) + 5); \
	  if (length(name[n]) > width) width = length(name[n]); more = 1; next } \
	  more && /^## / { text[n] = text[n] "\n" substr($$0, 4); next } { more = 0 } \
	  END { for (i = 1; i <= n; i++) { gsub(/\n/, sprintf("\n  %*s  ", width, ""), text[i]); printf "  %-*s  %s\n", width, name[i], text[i] } }' $(MAKEFILE)

## check: the inner loop, under three minutes on two cores: unit, sandbox and property tests, the provenance
## ledger, `make lint` and `make sanity`
check: units lint sanity

## venv: the development virtualenv (.venv) from requirements-dev.txt, with ansible-test's pip bootstrap made offline
venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python tools/venv/install_pip_bootstrap.py
	touch $@

## stage: copy what a commit would hold to build/ansible_collections/opsforge/delivery, where ansible-test and pytest run
stage: venv
	@tools/stage/stage_collection.sh >/dev/null

## build: the collection tarball, in build/dist
build: stage
	rm -rf build/dist && mkdir -p build/dist
	cd $(STAGE) && $(BIN)/ansible-galaxy collection build --force --output-path $(CURDIR)/build/dist

## install: the tarball installed into an empty collections path, build/collections
install: build
	rm -rf $(COLLECTIONS)
	$(BIN)/ansible-galaxy collection install --force -p $(COLLECTIONS) build/dist/opsforge-delivery-*.tar.gz

## package: the collection builds, installs into an empty path, and ansible-doc renders every plugin
package: install
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) tools/docs/check_plugin_docs.sh

## docs: regenerate docs/collection, the pages GitHub shows for every plugin and role and the guide
## (docs/docsite), from the plugins' own documentation; commit the result
docs: stage
	tools/docs/generate_docs.sh $(CURDIR)/docs/collection

## docs-check: docs/collection is up to date, renders cleanly, passes antsibull-docs lint, and the Sphinx docsite builds
docs-check: stage
	tools/docs/check_docs.sh

## awx: an AWX job template's run without AWX: ansible-runner, credentials injected by the shipped credential types, the sandbox
awx: build
	@tools/sandbox/sandbox.sh start
	@(cd $(STAGE) && AWX_SANDBOX_CONFIG=$(CURDIR)/tests/integration/integration_config.yml \
	  AWX_COLLECTION_TARBALL=$$(ls $(CURDIR)/build/dist/opsforge-delivery-*.tar.gz) \
	  $(BIN)/python -m pytest -q -p no:cacheprovider tests/awx); status=$$?; \
	tools/sandbox/sandbox.sh stop; exit $$status

## importer: Galaxy's importer (galaxy-importer, pinned in tools/compat/requirements-importer.txt) on the built tarball,
## offline and without its container-only ansible-test step; fails on any warning it reports (log: build/compat/importer.log)
importer: build
	tools/compat/galaxy_importer.sh

## ee: ansible-builder writes the execution environment's build context and finds the collection's Python requirements
ee: install
	$(BIN)/python tools/ee/check_ee.py

## examples: every plugin's EXAMPLES, as written, run against a fresh sandbox with the installed collection
examples: install
	@tools/sandbox/sandbox.sh start
	@ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(BIN)/python tools/examples/run_plugin_examples.py; status=$$?; \
	tools/sandbox/sandbox.sh stop; exit $$status

## units: pytest of tests/unit: transport, engine, comparison, the modules in-process against the sandbox, property tests
units: stage
	cd $(STAGE) && $(BIN)/python -m pytest -q -n 2 tests/unit

## units-oldest: ansible-test units on the oldest ansible-core meta/runtime.yml admits, in its own virtualenv and stage
units-oldest: venv
	$(BIN)/python tools/compat/run_compat.py units-oldest

## compat: every ansible-core the collection supports (2.16 to 2.21; 2.20 and later in a Debian trixie root with
## Python 3.13): the integration targets and the plugins' EXAMPLES on each (up to 2.18 with every module executed as
## a module, from 2.19 in Ansible's worker), ansible-test sanity with the newest, ansible-test units with the oldest,
## and Galaxy's importer (tools/compat/run_compat.py; logs in build/compat)
compat: build
	$(BIN)/python tools/compat/run_compat.py

## reliability: faults, TLS, concurrency, secrets at -vvvv and bad input: real playbooks against private sandboxes
reliability: stage
	cd $(STAGE) && $(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --durations=10 tests/reliability

## sanity: ansible-test sanity, every test, no ignore file
sanity: stage
	$(ANSIBLE_TEST) sanity --venv --python $(PYTHON_VERSION) --color no

## lint: ansible-lint --profile production, antsibull-changelog lint, and CHANGELOG.md matching the changelog
lint: stage
	cd $(STAGE) && $(BIN)/ansible-lint --profile production --nocolor
	cd $(STAGE) && $(BIN)/antsibull-changelog lint
	PYTHON=$(BIN)/python tools/release/check_changelog.sh $(STAGE)

## changelog: release galaxy.yml's version: the fragments go into changelogs/changelog.yaml and CHANGELOG.md
## (run it only to cut a release; it is not part of `make test`)
changelog: venv
	$(BIN)/antsibull-changelog release --version $(VERSION) --reload-plugins

## molecule: `molecule test` of every role's scenario (extensions/molecule) against the sandbox, with the installed collection
molecule: install
	@tools/sandbox/sandbox.sh start
	@ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) tools/molecule/run_molecule.sh; status=$$?; tools/sandbox/sandbox.sh stop; exit $$status

## integration: every integration target (tests/integration/targets) through ansible-test integration, against the sandbox
integration: stage
	@tools/sandbox/sandbox.sh start
	@cp tests/integration/integration_config.yml $(STAGE)/tests/integration/; \
	($(ANSIBLE_TEST) integration --venv --python $(PYTHON_VERSION) --color no); status=$$?; \
	tools/sandbox/sandbox.sh stop; exit $$status

## benchmark: each module, in the worker and executed as a module, against a plain uri task, requests per unchanged
## run, scale, a loop of ACL policies both ways and import times, against an in-process sandbox; writes
## build/benchmark/results.json and docs/performance.md, and fails when a budget or target is missed (minutes; not
## part of `make test`, whose unit tests run a quick version)
benchmark: stage
	cd $(STAGE) && $(BIN)/python -m benchmarks --output $(CURDIR)/build/benchmark --report $(CURDIR)/docs/performance.md

## sandbox-start: the sandbox in the background on the SANDBOX_* ports (default 24440-24444); writes build/sandbox/env
sandbox-start: venv
	tools/sandbox/sandbox.sh start

## sandbox-stop: stop the sandbox sandbox-start started
sandbox-stop:
	tools/sandbox/sandbox.sh stop

## clean: stop the sandbox and remove build/, tests/output and the integration config
clean:
	tools/sandbox/sandbox.sh stop || true
	rm -rf build tests/output tests/integration/integration_config.yml
