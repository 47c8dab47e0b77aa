#!/usr/bin/env bash
# tests/fuzz/fuzz_test.sh - builds the libFuzzer target over the wire
# protocol's decoders (tests/fuzz/wire_fuzz.c: startup packet, frontend
# messages, SASL and SCRAM) with clang, ASan and UBSan, and runs it briefly:
# 20 s (5 s under STRATA_TEST_QUICK=1) from a random seed, printed for replay
# (STRATA_SEED=n). Any crash, sanitizer report or leak fails the test; the
# fuzzer's reproducer file is kept under STRATA_BUILD/fuzz. Needs clang with
# its runtimes (Debian: clang, libclang-rt-14-dev; .ci/run installs them);
# without clang it reports SKIP. Ends with "fuzz_test: N passed, N failed".
set -u
BUILD=${STRATA_BUILD:-build/release}
cd "$(dirname "$0")/../.." || exit 1
passed=0
failed=0
finish() { echo "fuzz_test: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

CC_FUZZ=$(command -v clang || command -v clang-14 || true)
if [ -z "$CC_FUZZ" ]; then
    echo "SKIP fuzz_test: clang is not installed"
    finish
fi
GEN=$BUILD/gen
if [ ! -f "$GEN/util/errcodes.h" ]; then
    echo "FAIL fuzz_test: $GEN/util/errcodes.h missing (build first)"
    failed=1
    finish
fi
OUT=$BUILD/fuzz
mkdir -p "$OUT/corpus"
if "$CC_FUZZ" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc -I"$GEN" tests/fuzz/wire_fuzz.c \
        src/server/wire.c src/server/scram.c src/util/scram_verifier.c src/util/error.c \
        src/util/arena.c src/util/mem.c src/util/assert.c -lcrypto -o "$OUT/wire_fuzz" \
        >"$OUT/build.log" 2>&1; then
    passed=$((passed + 1))
else
    echo "FAIL fuzz_test: the fuzz target does not build"
    sed 's/^/  /' "$OUT/build.log" | head -20
    failed=$((failed + 1))
    finish
fi
SECONDS_TO_RUN=20
[ "${STRATA_TEST_QUICK:-0}" = 1 ] && SECONDS_TO_RUN=5
SEED=${STRATA_SEED:-$(( $(date +%s%N) % 2000000000 ))}
echo "seed fuzz_test: $SEED (replay with STRATA_SEED=$SEED)"
if (cd "$OUT" && ./wire_fuzz -seed="$SEED" -max_total_time="$SECONDS_TO_RUN" -rss_limit_mb=2048 \
        -print_final_stats=1 corpus >run.log 2>&1); then
    passed=$((passed + 1))
    grep -E "stat::number_of_executed_units|cov:" "$OUT/run.log" | tail -2 | sed 's/^/  /'
else
    echo "FAIL fuzz_test: the fuzzer found a crash (reproducer in $OUT)"
    grep -E "ERROR|SUMMARY|Test unit written" "$OUT/run.log" | head -10 | sed 's/^/  /'
    failed=$((failed + 1))
fi
finish
