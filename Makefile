# dinhdanh: `make run` and `make test` are all a newcomer needs.
BUILD      ?= build
BUILD_SAN  ?= build-asan
PY         := /usr/bin/python3
IDP        := $(BUILD)/idp
MESON_TEST := meson test --print-errorlogs --num-processes 2

.PHONY: all deps build build-asan run test test-unit test-asan bench clean

all: build

deps:
	@.ci/deps

$(BUILD)/build.ninja:
	meson setup $(BUILD)

$(BUILD_SAN)/build.ninja:
	meson setup $(BUILD_SAN) -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

build-asan: deps $(BUILD_SAN)/build.ninja
	ninja -C $(BUILD_SAN)

run: build
	@mkdir -p var
	$(IDP) serve --demo

# The whole suite, then the whole suite again built with ASan+UBSan;
# one closing line counts both.
test: build build-asan
	-$(MESON_TEST) -C $(BUILD)
	-ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		$(MESON_TEST) -C $(BUILD_SAN) --timeout-multiplier 3
	@$(PY) .ci/summary $(BUILD)/meson-logs/testlog.json \
		$(BUILD_SAN)/meson-logs/testlog.json

test-unit: build
	$(MESON_TEST) -C $(BUILD) --suite unit

bench: build
	tests/bench/run $(BENCH_ARGS)

clean:
	rm -rf $(BUILD) $(BUILD_SAN)
