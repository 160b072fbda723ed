#!/bin/sh
# tests/lsp/run.sh CAMP — checks `camp lsp` with a scripted client
# (client.c, compiled here with cc + jansson, which camp links already):
# initialize, diagnostics on open (UTF-16 range) and after a fix, completion
# (enriched columns, link paths, while the document is broken), hover,
# definition (steps, schemas in imports, imports), formatting, shutdown and
# exit; then bad JSON, requests before initialize, unknown methods and a
# huge document.  The formatting edit must equal `camp fmt` of the same
# text.  Ends with `lsp: N passed, N failed`.
CAMP=${1:?usage: tests/lsp/run.sh CAMP_BINARY}
case $CAMP in /*) ;; *) CAMP=$(pwd)/$CAMP ;; esac
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/camp-lsp.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

if ! ${CC:-cc} -std=c11 -Wall -Wextra -Werror -O1 -o "$tmp/client" "$dir/client.c" -ljansson \
     2>"$tmp/cc.err"; then
  echo "FAIL lsp: cannot compile client.c: $(head -n 3 "$tmp/cc.err")"
  echo "lsp: 0 passed, 1 failed"
  exit 1
fi

"$tmp/client" "$CAMP" "$dir" "$tmp" >"$tmp/out" 2>"$tmp/server.log"
rc=$?
pass=$(grep -c '^PASS ' "$tmp/out")
fail=$(grep -c '^FAIL ' "$tmp/out")
grep '^FAIL ' "$tmp/out" | sed 's/^FAIL /FAIL lsp: /'
# A crash or hang of the client (alarm) leaves the count short.
if [ "$rc" -ne "$fail" ]; then
  fail=$((fail + 1))
  echo "FAIL lsp: client exited with $rc after $((pass + fail - 1)) checks: $(tail -n 2 "$tmp/server.log" | tr '\n' ' ')"
fi

if "$CAMP" fmt - <"$dir/unformatted.camp" >"$tmp/fmt.expected" 2>/dev/null &&
   cmp -s "$tmp/fmt.expected" "$tmp/formatted.camp"; then
  pass=$((pass + 1))
else
  fail=$((fail + 1))
  echo "FAIL lsp: formatting edit differs from camp fmt"
  diff -u "$tmp/fmt.expected" "$tmp/formatted.camp" 2>&1 | head -n 20 | sed 's/^/    /'
fi

echo "lsp: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
