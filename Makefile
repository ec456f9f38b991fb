# The two commands of the README:
#   make demo   set up, build the binary and the page, generate a demo project, start the server
#   make test   set up, build everything, run every test (unit, API, browser)
# `make bench` builds the benchmarks and installs what they compare against (Python torch, wrk).
BUILD ?= build
JOBS ?= $(shell nproc)
PORT ?= 8080
# ccache keys on paths relative to the checkout, so a fresh clone reuses an earlier build's cache.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime
export CCACHE_MAXSIZE ?= 5G

.PHONY: all deps deps-test deps-bench configure build build-demo web web-check e2e-deps demo \
        test unit-test web-test e2e-test bench format clean

all: build

deps:
	bash scripts/setup-deps.sh demo

deps-test:
	bash scripts/setup-deps.sh test

deps-bench:
	bash scripts/setup-deps.sh bench

configure: deps
	cmake -S . -B $(BUILD) -G Ninja

# Everything: the binary, the tests and the benchmarks.
build: configure
	cmake --build $(BUILD) -j $(JOBS)

# Only what the demo runs: the boxloop binary (no test or benchmark is compiled).
build-demo: configure
	cmake --build $(BUILD) -j $(JOBS) --target boxloop

web: deps
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build

# The page's own checks: types (in the build), lint, unit tests.
web-test: web
	cd web && npm run lint && npm run test:unit

e2e-deps: deps-test
	cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error

demo: build-demo web
	$(BUILD)/src/cli/boxloop demo demo-project --port $(PORT)

unit-test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

e2e-test: build web e2e-deps
	cd tests/e2e && BOXLOOP_BINARY=$(CURDIR)/$(BUILD)/src/cli/boxloop npm test

test: unit-test web-test e2e-test

bench: deps-bench build

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) web/dist
