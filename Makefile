# The two commands of the README:
#   make demo   set up, build, generate a demo project, start the server and print the page URL
#   make test   set up, build, run every test (unit, API, browser)
BUILD ?= build
JOBS ?= $(shell nproc)
PORT ?= 8080
# ccache keys on paths relative to the checkout, so a fresh clone reuses an earlier build's cache.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime
export CCACHE_MAXSIZE ?= 5G

.PHONY: all deps configure build web e2e-deps demo test unit-test e2e-test format clean

all: build

deps:
	bash scripts/setup-deps.sh

configure: deps
	cmake -S . -B $(BUILD) -G Ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

web: deps
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build

e2e-deps: deps
	cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error

demo: build web
	$(BUILD)/src/cli/boxloop demo demo-project --port $(PORT)

unit-test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

e2e-test: build web e2e-deps
	cd tests/e2e && BOXLOOP_BINARY=$(CURDIR)/$(BUILD)/src/cli/boxloop npm test

test: unit-test e2e-test

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) web/dist
