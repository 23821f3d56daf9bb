# dinhdanh: `make run` and `make test` are all a newcomer needs.
BUILD      ?= build
BUILD_SAN  ?= build-asan
PY         := /usr/bin/python3
IDP        := $(BUILD)/idp
MESON_TEST := meson test --print-errorlogs --num-processes 2

.PHONY: all deps build build-asan run test test-unit test-asan test-crash-long bench clean

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

# The whole suite, then the whole suite again built with ASan+UBSan, then
# each fuzz harness for 20 s (libFuzzer, ASan+UBSan); one closing line
# counts all three. The crash test's 200 kills run in the plain build; under
# the sanitizers 40 kills look for memory errors on the same paths.
test: build build-asan build-fuzz
	-$(MESON_TEST) -C $(BUILD)
	-ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 CRASH_KILLS=40 \
		$(MESON_TEST) -C $(BUILD_SAN) --timeout-multiplier 3
	-FUZZ_SECONDS=20 $(MESON_TEST) -C $(BUILD_FUZZ) --no-rebuild --suite fuzz
	@$(PY) .ci/summary $(BUILD)/meson-logs/testlog.json \
		$(BUILD_SAN)/meson-logs/testlog.json \
		$(BUILD_FUZZ)/meson-logs/testlog.json

test-unit: build
	$(MESON_TEST) -C $(BUILD) --suite unit

# The crash test with 1,000 SIGKILLs instead of 200 (CRASH_SEED=N replays a
# run: each run prints its seed).
test-crash-long: build
	CRASH_KILLS=1000 $(MESON_TEST) -C $(BUILD) integration_crash \
		--timeout-multiplier 6

# The fuzz harnesses of tests/fuzz: clang-14 with libFuzzer, ASan+UBSan.
# Only the harnesses are built there (the `fuzz` alias). `make fuzz
# SECONDS=N` runs each for N seconds (default 60); the inputs of crashes,
# leaks and timeouts land in $(BUILD_FUZZ)/fuzz-artifacts/.
BUILD_FUZZ ?= build-fuzz
SECONDS    ?= 60
.PHONY: build-fuzz fuzz
$(BUILD_FUZZ)/build.ninja:
	CC=clang-14 meson setup $(BUILD_FUZZ) -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fsanitize=fuzzer-no-link

build-fuzz: deps $(BUILD_FUZZ)/build.ninja
	ninja -C $(BUILD_FUZZ) fuzz

fuzz: build-fuzz
	FUZZ_SECONDS=$(SECONDS) $(MESON_TEST) -C $(BUILD_FUZZ) --no-rebuild \
		--suite fuzz

# The integration suite with every idp, eid-app and eid-verify the tests
# start under valgrind memcheck: a definite leak or an invalid access exits
# 99 and fails the test with valgrind's report (tests/integration/harness.py).
# The crash test (suite `crash`) is left out: a process killed with SIGKILL
# reports nothing, and its kill timing assumes native speed.
VALGRIND := valgrind --leak-check=full --errors-for-leak-kinds=definite \
	--error-exitcode=99 --track-fds=no -q \
	--suppressions=$(CURDIR)/tests/valgrind.supp
.PHONY: test-valgrind
test-valgrind: build
	-IDP_WRAPPER="$(VALGRIND)" IDP_TIMEOUT_SCALE=10 \
		$(MESON_TEST) -C $(BUILD) --suite integration --no-suite crash \
		--timeout-multiplier 10
	@printf 'valgrind: '
	@$(PY) .ci/summary $(BUILD)/meson-logs/testlog.json

# Every benchmark and the ceilings of this machine, then one table.
# BENCH_SECONDS=N: seconds of each load run (default 10);
# BENCH_ARGS=--10m: the import benchmark with 10 million rows.
bench: build
	tests/bench/run --idp $(IDP) $(BENCH_ARGS)

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_FUZZ)
