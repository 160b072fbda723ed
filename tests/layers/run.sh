#!/bin/sh
# run.sh CAMP — the architecture as a test (docs/architecture.md):
#   includes point down the layers (lang <- compiler <- runtime <- cli),
#   only runtime/db/ calls SQLite, and no two files call each other
#   (check_layers.py over the sources, check_calls.py over the objects of
#   the build the suite runs on: $TEST_BIN_DIR/.. , default build/).
# Each checker is first shown a small tree that breaks its rule, so the
# test cannot pass by checking nothing.
# Ends with `layers: N passed, N failed`; exit 1 on failures.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${TEST_BIN_DIR:-build/tests}
BUILD=$(cd "$ROOT" && cd "$(dirname "$BUILD")" 2>/dev/null && pwd) || BUILD=$ROOT/build
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL layers: $*"; }

# The real tree.
if python3 "$HERE/check_layers.py" "$ROOT" > "$TMP/out" 2>&1; then ok; else
  bad "includes or SQLite calls out of place:"; sed 's/^/    /' "$TMP/out"
fi
if (cd "$ROOT" && python3 "$HERE/check_calls.py" "$BUILD") > "$TMP/out" 2>&1; then ok; else
  bad "call cycles between files (objects in $BUILD):"; sed 's/^/    /' "$TMP/out"
fi

# Trees that break each rule must be caught.
mk() { mkdir -p "$TMP/t/$(dirname "$1")" && printf '%s\n' "$2" > "$TMP/t/$1"; }
expect_caught() { # NAME PATTERN
  if python3 "$HERE/check_layers.py" "$TMP/t" > "$TMP/out" 2>&1; then
    bad "$1: not caught"
  elif grep -q "$2" "$TMP/out"; then ok; else
    bad "$1: unexpected report:"; cat "$TMP/out"
  fi
  rm -rf "$TMP/t"
}
mk compiler/sql/a.c '#include "runtime/db/db.h"'
expect_caught "compiler includes runtime" "runtime/db/ is a higher layer of compiler/sql/"
mk compiler/sql/a.c '#include "compiler/rules/rules.h"'
expect_caught "peer folders" "compiler/rules/ is a peer of compiler/sql/"
mk lang/a.c '#include "cli/cli.h"'
expect_caught "lang includes cli" "cli/ is a higher layer of lang/"
mk runtime/exec/a.c 'int f(void) { return sqlite3_changes(0); }'
expect_caught "SQLite outside runtime/db" "calls SQLite (sqlite3_changes) outside runtime/db/"
mk runtime/newfolder/a.c 'int x;'
expect_caught "unplaced folder" "has no place in the layering"
mk runtime/db/a.c '#include <sqlite3.h>'
if python3 "$HERE/check_layers.py" "$TMP/t" > "$TMP/out" 2>&1; then ok; else
  bad "runtime/db may call SQLite:"; cat "$TMP/out"
fi
rm -rf "$TMP/t"

# A call cycle between two objects must be caught.
if command -v cc > /dev/null; then
  mkdir -p "$TMP/b/runtime/exec" "$TMP/src/runtime/exec"
  printf 'int g(void);\nint f(void) { return g(); }\n' > "$TMP/src/runtime/exec/x.c"
  printf 'int f(void);\nint g(void) { return f(); }\n' > "$TMP/src/runtime/exec/y.c"
  cc -c -o "$TMP/b/runtime/exec/x.o" "$TMP/src/runtime/exec/x.c"
  cc -c -o "$TMP/b/runtime/exec/y.o" "$TMP/src/runtime/exec/y.c"
  if (cd "$TMP/src" && python3 "$HERE/check_calls.py" "$TMP/b") > "$TMP/out" 2>&1; then
    bad "a call cycle x.c <-> y.c was not caught"
  elif grep -q 'call cycle: runtime/exec/x.c <-> runtime/exec/y.c' "$TMP/out"; then ok; else
    bad "call cycle: unexpected report:"; cat "$TMP/out"
  fi
fi

echo "layers: $pass passed, $fail failed"
[ "$fail" = 0 ]
