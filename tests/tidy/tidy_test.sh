#!/usr/bin/env bash
# tests/tidy/tidy_test.sh - runs tools/tidy as part of make test (STYLE.md section 11).
exec "$(dirname "$0")/../../tools/tidy" "${STRATA_BUILD:-build/release}"
