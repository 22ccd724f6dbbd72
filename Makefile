# Switchboard: two commands do all the set-up on a fresh Debian machine.
#   make run   installs libzmq if missing, builds, starts the daemon with its defaults and a demo bot
#   make test  installs what the tests need, builds, runs every test
SWIFT      ?= swift
PREFIX     ?= /usr/local
BIN        := .build/debug

.PHONY: all deps test-deps build run test install clean

all: build

# libzmq and SQLite (and pkg-config, which SwiftPM uses to find libzmq). apt-get runs only when something is missing.
deps:
	@if ! pkg-config --exists libzmq sqlite3 2>/dev/null; then \
		echo "installing libzmq3-dev, libsqlite3-dev and pkg-config"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libzmq3-dev libsqlite3-dev pkg-config; \
	fi

build: deps
	$(SWIFT) build

run: build
	deploy/demo/run-demo.sh $(BIN)

# What the tests need beyond the build: headless Chromium (the dashboard test), PostgreSQL's server (the
# leader lease tests start private ones), pytest and the Python package (clients/python), the Python checkers'
# packages (JSON Schema validation, the Prometheus text-format parser), and Majordomo peers we did not write
# (majortomo, which imports six without declaring it; pyzmq), and websocket-client (drives Chromium over
# its DevTools protocol for the agent-page test). Installed only when missing.
test-deps: deps
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "installing chromium (headless, for the dashboard test)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "installing postgresql-15 (the tests start private servers on 127.0.0.1; no system service is used)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql-15; \
	fi
	@if ! command -v systemd-analyze >/dev/null 2>&1; then \
		echo "installing systemd (systemd-analyze verifies the unit in deploy/)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq systemd; \
	fi
	@python3 -c 'import jsonschema, rfc3339_validator, prometheus_client, zmq, majortomo, six, websocket, pytest' 2>/dev/null || \
		python3 -m pip install -q --disable-pip-version-check jsonschema rfc3339-validator prometheus_client \
			pyzmq majortomo six websocket-client pytest
	@# The Python package for department teams, installed as they install it; its tests run against it.
	python3 -m pip install -q --disable-pip-version-check ./clients/python
	@rm -rf clients/python/build clients/python/*.egg-info

test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	@# The Python package's own suite, against the daemon just built (its bots, agents and the golden vectors).
	SWITCHBOARD_DAEMON=$(BIN)/switchboardd PYTHONDONTWRITEBYTECODE=1 python3 -m pytest -q -p no:cacheprovider clients/python/tests

# Installs the release binaries (the Swift runtime linked in: the server needs only libzmq5 and libsqlite3),
# the systemd unit (paths filled in), the example configuration (an existing one is kept), the schemas and the
# guides. PREFIX=/usr/local by default; DESTDIR for packaging. Installing for real (no DESTDIR, as root) also
# creates the `switchboard` system user the unit runs as, and lets its group read the configuration.
SYSCONFDIR ?= /etc
RELEASE_FLAGS ?= -c release --static-swift-stdlib
install: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product switchboardd
	$(SWIFT) build $(RELEASE_FLAGS) --product switchboard
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(SYSCONFDIR)/switchboard \
		$(DESTDIR)$(PREFIX)/share/switchboard
	install -m 755 .build/release/switchboardd .build/release/switchboard $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@DATADIR@|$(PREFIX)/share|g' \
		deploy/switchboardd.service.in > $(DESTDIR)$(PREFIX)/lib/systemd/system/switchboardd.service
	[ -e $(DESTDIR)$(SYSCONFDIR)/switchboard/switchboard.yaml ] || \
		install -m 640 deploy/switchboard.yaml $(DESTDIR)$(SYSCONFDIR)/switchboard/switchboard.yaml
	cp -R schemas README.md deploy/OPERATIONS.md $(DESTDIR)$(PREFIX)/share/switchboard/
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
		id switchboard >/dev/null 2>&1 || { echo "creating the switchboard system user"; \
			useradd --system --no-create-home --home-dir /var/lib/switchboard --shell /usr/sbin/nologin switchboard; }; \
		chgrp switchboard $(SYSCONFDIR)/switchboard/switchboard.yaml; \
	fi

clean:
	rm -rf .build var
