#!/bin/sh
# The installed library as a user meets it: `make install` into a temporary
# prefix, the flags libattest.pc gives (only -I for the compiler, also with
# --static; a --static link list that resolves every symbol libattest.a
# needs), and a small program built with those flags against the shared
# library and against libattest.a, then run. Run by `make test`; alone:
#   sh tests/pkgconfig.sh
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CC=${CC:-cc}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PREFIX_DIR=$TMP/prefix
failures=0

pass() { echo "ok   pkgconfig: $1"; }
fail() { echo "FAIL pkgconfig: $1" >&2; failures=$((failures + 1)); }
die() { echo "FAIL pkgconfig: $1" >&2; exit 1; }

header_part() {
    sed -n "s/^#define ATTEST_VERSION_$1 *\([0-9][0-9]*\)$/\1/p" "$ROOT/include/attest.h"
}
VERSION=$(header_part MAJOR).$(header_part MINOR).$(header_part PATCH)

${MAKE:-make} -s -C "$ROOT" install PREFIX="$PREFIX_DIR" DESTDIR= >"$TMP/install.log" 2>&1 ||
    { cat "$TMP/install.log" >&2; die "make install PREFIX=$PREFIX_DIR"; }
export PKG_CONFIG_PATH="$PREFIX_DIR/lib/pkgconfig"
PC_FILE=$PREFIX_DIR/lib/pkgconfig/libattest.pc
[ -f "$PC_FILE" ] || die "make install wrote no $PC_FILE"

pc() { pkg-config "$@" libattest || die "pkg-config $* libattest fails"; }

# ---- what libattest.pc says -----------------------------------------------
for mode in "" "--static"; do
    # shellcheck disable=SC2086 # $mode is one word or none
    got=$(pc $mode --cflags)
    got=$(echo "$got" | sed 's/ *$//')
    if [ "$got" = "-I$PREFIX_DIR/include" ]; then
        pass "pkg-config $mode --cflags is the include directory only"
    else
        fail "pkg-config $mode --cflags gives \"$got\", want only -I$PREFIX_DIR/include"
    fi
done

STATIC_LIBS=$(pc --static --libs)
pass "pkg-config --static --libs: $STATIC_LIBS"

got=$(pc --modversion)
if [ "$got" = "$VERSION" ]; then
    pass "Version $got is include/attest.h's"
else
    fail "Version $got, include/attest.h says $VERSION"
fi

desc=$(sed -n 's/^Description: //p' "$PC_FILE")
missing=""
for vendor in "AMD SEV-SNP" "Intel TDX" "SGX" "NVIDIA GPU"; do
    case "$desc" in *"$vendor"*) ;; *) missing="$missing \"$vendor\"" ;; esac
done
if [ -z "$missing" ]; then
    pass "Description names every vendor"
else
    fail "Description \"$desc\" lacks$missing"
fi

# ---- a program built with those flags ---------------------------------------
cat >"$TMP/app.c" <<'EOF'
#include <attest.h>
#include <stdio.h>
#include <string.h>

/* argv[1]: the version the header's author expects. */
int main(int argc, char **argv)
{
    const uint8_t junk[3] = {1, 2, 3};
    attest_evidence *ev = NULL;
    int st = attest_evidence_parse(&ev, junk, sizeof junk);
    if (argc != 2 || strcmp(attest_version(), argv[1]) != 0 ||
        attest_version_number() != ATTEST_VERSION_NUMBER ||
        attest_nonce_max() != ATTEST_NONCE_MAX || st != ATTEST_E_FORMAT_UNKNOWN ||
        attest_error_last_status() != st || attest_error_last()[0] == '\0') {
        fprintf(stderr, "version %s, parse %s: %s\n", attest_version(),
                attest_status_name(st), attest_error_last());
        return 1;
    }
    printf("libattest %s\n", attest_version());
    return 0;
}
EOF
WARN="-std=c11 -pedantic -Wall -Wextra -Werror"

# shellcheck disable=SC2046,SC2086 # word splitting of the flags wanted
if $CC $WARN -o "$TMP/app" "$TMP/app.c" $(pc --cflags --libs) 2>"$TMP/cc.log" &&
    LD_LIBRARY_PATH=$PREFIX_DIR/lib "$TMP/app" "$VERSION" >/dev/null; then
    pass "cc app.c \$(pkg-config --cflags --libs libattest) builds and runs"
else
    cat "$TMP/cc.log" >&2
    fail "program against the shared library"
fi

# Against libattest.a: every member of the archive is linked
# (--whole-archive), so a library missing from the --static list fails the
# link even where this small program would not need it.
static_flags=""
for flag in $STATIC_LIBS; do
    [ "$flag" = "-lattest" ] && flag="-Wl,--whole-archive -l:libattest.a -Wl,--no-whole-archive"
    static_flags="$static_flags $flag"
done
# shellcheck disable=SC2046,SC2086
if $CC $WARN -o "$TMP/app-static" "$TMP/app.c" $(pc --static --cflags) $static_flags \
    2>"$TMP/cc-static.log" && "$TMP/app-static" "$VERSION" >/dev/null; then
    if readelf -d "$TMP/app-static" | grep -q 'NEEDED.*libattest'; then
        fail "the --static program loads libattest.so"
    else
        pass "libattest.a linked with \$(pkg-config --static --libs libattest) builds and runs"
    fi
else
    cat "$TMP/cc-static.log" >&2
    fail "program against libattest.a with the --static flags"
fi

if command -v c++ >/dev/null; then
    # shellcheck disable=SC2046
    if echo '#include <attest.h>' | c++ -x c++ -std=c++11 -Wall -Wextra -Werror -fsyntax-only \
        $(pc --cflags) - 2>"$TMP/cxx.log"; then
        pass "attest.h compiles as C++11"
    else
        cat "$TMP/cxx.log" >&2
        fail "attest.h as C++11"
    fi
fi

[ "$failures" -eq 0 ] || die "$failures failure(s)"
echo "pkgconfig: all passed"
