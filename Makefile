# Two commands matter: `make demo` and `make test`. Both install the system
# libraries first when pkg-config cannot find them (Debian: libzstd-dev, liblz4-dev).
SWIFT ?= swift
BUILD := $(SWIFT) build -c release
BIN = $(shell $(SWIFT) build -c release --show-bin-path)

.PHONY: deps build demo test bench bench-smoke clean

deps:
	@if ! pkg-config --exists libzstd liblz4 2>/dev/null; then \
		echo "installing libzstd-dev liblz4-dev pkg-config"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq libzstd-dev liblz4-dev pkg-config; \
	fi

build: deps
	$(BUILD)

demo: build
	@bash scripts/demo.sh "$(BIN)"

# The CLI tests run the built binaries from .build/debug, so build them first.
test: deps
	$(SWIFT) build
	$(SWIFT) test

# bench/run: every case timed and checked against the data's manifest (docs/PERFORMANCE.md).
bench: build
	python3 bench/run --compare

bench-smoke: build
	python3 bench/run --smoke --out .build/bench-smoke

clean:
	rm -rf .build out
