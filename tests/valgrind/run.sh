#!/bin/sh
# valgrind suite: the retail example's commands under valgrind (memcheck,
# leak check): every error or definite leak fails.  Skipped without valgrind.
#   sh tests/valgrind/run.sh CAMP
CAMP=$1
pass=0 fail=0
# Without valgrind, or on a sanitizer build (make asan), there is nothing to do.
if ! command -v valgrind > /dev/null 2>&1 || grep -q __asan_init "$CAMP" 2> /dev/null; then
  echo "valgrind: 0 passed, 0 failed, 1 skipped"
  exit 0
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/camp-vg.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
# A copy of the example: runs write extraction files next to the campaigns.
cp -R examples/retail "$W/retail"
rm -rf "$W/retail/out" "$W/retail/campaigns/out"
EX=$W/retail
GEN=$W/retail-gen
cc -std=c11 -D_GNU_SOURCE -O2 -o "$GEN" "$EX/gen.c" -lsqlite3 || { echo "valgrind: 0 passed, 1 failed"; exit 1; }
"$GEN" --out "$W/db.sqlite" --customers 500 > /dev/null

vg() { # NAME ARGS... — runs camp under valgrind
  name=$1
  shift
  if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
      --suppressions=tools/valgrind.supp \
      "$CAMP" "$@" > "$W/out" 2> "$W/err"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL valgrind $name (exit $?)"
    tail -n 20 "$W/err" | sed 's/^/    /'
  fi
}

for c in spring_sale winback uppsala_opening; do
  vg "check $c" check "$EX/campaigns/$c.camp"
  vg "sql $c" sql "$EX/campaigns/$c.camp"
  vg "fmt $c" fmt --check "$EX/campaigns/$c.camp"
done
vg "plan (sql)" plan "$EX/campaigns/winback.camp" --db "$W/db.sqlite" --now 2026-03-01 --engine sql
vg "plan (interp)" plan "$EX/campaigns/spring_sale.camp" --db "$W/db.sqlite" --now 2026-03-01 --engine interp
for c in spring_sale winback uppsala_opening; do
  vg "run $c" run "$EX/campaigns/$c.camp" --db "$W/db.sqlite" --now 2026-03-01
done
vg "resume" resume --db "$W/db.sqlite" --now 2026-03-25
vg "status" status --db "$W/db.sqlite" 1
vg "outbox" outbox --db "$W/db.sqlite" --run 1 --format json
vg "graph" graph "$EX/campaigns/spring_sale.camp" --db "$W/db.sqlite" --run 1
echo "valgrind: $pass passed, $fail failed"
[ "$fail" = 0 ]
