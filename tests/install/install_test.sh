#!/usr/bin/env bash
# tests/install/install_test.sh - `make install` into a scratch prefix installs the
# library, header, pkg-config file, strata binary and man page, and examples/c builds
# against the installed copy with pkg-config and runs.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${STRATA_BUILD:-build/release}
pass=0; fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL: $1"; fail=$((fail + 1)); fi; }
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
# A sanitizer build directory is installed with SAN=1, so nothing is rebuilt with other flags.
san=""; [ "${BUILD#*san}" != "$BUILD" ] && san="SAN=1"
make -C "$root" -s install $san BUILD="$BUILD" PREFIX="$prefix" >/dev/null 2>&1
check "library installed" "[ -f '$prefix/lib/libstrata.a' ] && [ -f '$prefix/lib/libstrata.so' ]"
check "header installed" "[ -f '$prefix/include/strata.h' ]"
check "binary installed" "[ -x '$prefix/bin/strata' ]"
check "pkg-config file" "PKG_CONFIG_PATH='$prefix/lib/pkgconfig' pkg-config --cflags strata | grep -q '$prefix/include'"
check "man page" "[ -f '$prefix/share/man/man1/strata.1' ]"
cp "$root/examples/c/hello.c" "$prefix/hello.c"
check "example builds against the installed library" \
    "cc -O1 -o '$prefix/hello' '$prefix/hello.c' \$(PKG_CONFIG_PATH='$prefix/lib/pkgconfig' pkg-config --cflags --libs --static strata) $( [ "${BUILD#*san}" != "$BUILD" ] && echo -fsanitize=address,undefined )"
check "example runs" "[ \"\$(LD_LIBRARY_PATH='$prefix/lib' '$prefix/hello')\" = 'hello, strata' ]"
check "installed shell runs SQL" "[ \"\$('$prefix/bin/strata' -t -A -c 'SELECT 40 + 2' :memory:)\" = '42' ]"
echo "install_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
