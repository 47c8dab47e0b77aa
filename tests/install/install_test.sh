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
# Language bindings load the shared library with dlopen (Python's ctypes here): it must not
# need static TLS (an initial-exec thread-local once made it "cannot allocate memory in
# static TLS block"). Not under a sanitizer build, whose runtime must come first.
if [ "${BUILD#*san}" = "$BUILD" ] && command -v python3 >/dev/null; then
    check "python3 ctypes loads and calls the installed libstrata.so" \
        "[ \"\$(python3 -c 'import ctypes, sys; lib = ctypes.CDLL(sys.argv[1]); lib.strata_libversion.restype = ctypes.c_char_p; print(lib.strata_libversion().decode())' '$prefix/lib/libstrata.so')\" != '' ]"
fi
echo "install_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
