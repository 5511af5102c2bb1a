# Two commands matter: `make demo` and `make test`. Both install the system
# libraries first when pkg-config cannot find them (Debian: libzstd-dev, liblz4-dev).
SWIFT ?= swift
BUILD := $(SWIFT) build -c release --static-swift-stdlib
BIN = $(shell $(SWIFT) build -c release --show-bin-path)

.PHONY: deps build demo test test-dask sanitize fuzz bench bench-smoke clean

deps:
	@if ! pkg-config --exists libzstd liblz4 zlib libbrotlidec libpq 2>/dev/null; then \
		echo "installing libzstd-dev liblz4-dev zlib1g-dev libbrotli-dev libpq-dev pkg-config"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq libzstd-dev liblz4-dev zlib1g-dev libbrotli-dev libpq-dev pkg-config; \
	fi

build: deps
	$(BUILD)

demo: build
	@bash scripts/demo.sh "$(BIN)"

# The CLI tests run the built binaries from .build/debug, so build them first.
test: deps
	$(SWIFT) build
	$(SWIFT) test

# coldask (integrations/dask) on a real LocalCluster of two worker processes, with the
# debug binaries on the workers' PATH; installs dask[distributed] and the package first.
test-dask:
	$(SWIFT) build
	python3 -m pip install --quiet --disable-pip-version-check "dask[distributed]" ./integrations/dask
	rm -rf integrations/dask/build integrations/dask/*.egg-info
	COLCONV_BIN=$(CURDIR)/.build/debug python3 integrations/dask/tests/test_coldask.py

# AddressSanitizer on the suites that touch pointers (encodings, the CSV and JSON
# scanners, the sketches, scans); ThreadSanitizer on the pipeline and scan tests.
# Each has its own scratch path (docs/RELIABILITY.md).
POINTER_SUITES := ColFormatTests|ColSketchesTests|ColIngestTests|ColScanTests|ColParquetTests
THREAD_SUITES := ColIngestTests|ColScanTests
sanitize: deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	LSAN_OPTIONS=suppressions=$(CURDIR)/.ci/lsan.supp $(SWIFT) test --sanitize=address --scratch-path .build-asan --skip-build --filter '$(POINTER_SUITES)'
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	TSAN_OPTIONS=halt_on_error=1 $(SWIFT) test --sanitize=thread --scratch-path .build-tsan --skip-build --filter '$(THREAD_SUITES)'

# The libFuzzer targets in FuzzTesting/: build, replay FailCases/, fuzz each for FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
fuzz: deps
	bash FuzzTesting/run.sh $(FUZZ_SECONDS)

# bench/run: every case timed and checked against the data's manifest (docs/PERFORMANCE.md).
bench: build
	python3 bench/run --compare

bench-smoke: build
	python3 bench/run --smoke --out .build/bench-smoke

clean:
	rm -rf .build out
