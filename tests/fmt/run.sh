#!/bin/sh
# tests/fmt/run.sh CAMP — checks `camp fmt`: the goldens (X.camp formats to
# X.expected; BLESS=1 rewrites them), that no comment of comments.camp is
# lost or duplicated, the CLI (--check, in-place rewrite, syntax errors
# leave the file alone), and idempotence: every .camp under tests/,
# examples/ and stdlib/ that parses formats to text that formats to itself.
# Prints one line per failure and ends with `fmt: N passed, N failed`.
CAMP=${1:?usage: tests/fmt/run.sh CAMP_BINARY}
case $CAMP in /*) ;; *) CAMP=$(pwd)/$CAMP ;; esac
dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$dir/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL fmt: $*"; }

# --- goldens
for in in "$dir"/*.camp; do
  exp=${in%.camp}.expected
  name=$(basename "$in")
  if ! "$CAMP" fmt --output - "$in" >"$tmp/out" 2>"$tmp/err"; then
    bad "$name: camp fmt failed: $(head -n 1 "$tmp/err")"
    continue
  fi
  if [ "${BLESS:-}" = 1 ]; then cp "$tmp/out" "$exp"; fi
  if [ ! -f "$exp" ]; then
    bad "$name: no $(basename "$exp") (run with BLESS=1)"
  elif cmp -s "$tmp/out" "$exp"; then
    ok
  else
    bad "$name: output differs from $(basename "$exp")"
    diff -u "$exp" "$tmp/out" | head -n 20 | sed 's/^/    /'
  fi
done

# --- comments: each tagged comment (cNN) of comments.camp exactly once
"$CAMP" fmt --output - "$dir/comments.camp" >"$tmp/c.out" 2>/dev/null
grep -o 'c[0-9][0-9]' "$dir/comments.camp" | sort >"$tmp/c.want"
grep -o 'c[0-9][0-9]' "$tmp/c.out" | sort >"$tmp/c.got"
if [ -s "$tmp/c.want" ] && cmp -s "$tmp/c.want" "$tmp/c.got" &&
   [ -z "$(uniq -d "$tmp/c.want")" ]; then
  ok
else
  bad "comments.camp: comments lost or duplicated: $(diff "$tmp/c.want" "$tmp/c.got" | grep '^[<>]' | tr '\n' ' ')"
fi

# --- CLI behaviour
cp "$dir/spring.camp" "$tmp/s.camp"
out=$("$CAMP" fmt --check "$tmp/s.camp"); rc=$?
if [ $rc -eq 1 ] && [ "$out" = "$tmp/s.camp: not formatted (42 lines would change)" ] &&
   cmp -s "$tmp/s.camp" "$dir/spring.camp"; then ok
else bad "--check on an unformatted file: rc=$rc output='$out' (file must stay unchanged)"; fi
# (42 changed lines: what `diff spring.camp spring.expected | grep -c "^[<>]"` counts.)
# --check --diff: a unified diff (golden), which patch(1) applies to give
# exactly the formatted file; the file itself stays unchanged.
(cd "$tmp" && "$CAMP" fmt --check --diff s.camp >"$tmp/s.diff"); rc=$?
if [ "${BLESS:-}" = 1 ]; then cp "$tmp/s.diff" "$dir/spring.diff"; fi
if [ $rc -eq 1 ] && cmp -s "$tmp/s.diff" "$dir/spring.diff" && cmp -s "$tmp/s.camp" "$dir/spring.camp"; then ok
else bad "--check --diff: rc=$rc, output differs from spring.diff or the file changed"; diff -u "$dir/spring.diff" "$tmp/s.diff" | head -20; fi
cp "$dir/spring.camp" "$tmp/p.camp"
grep -v 's.camp: not formatted' "$tmp/s.diff" | sed 's/^\(---\|+++\) s.camp/\1 p.camp/' >"$tmp/p.diff"
if (cd "$tmp" && patch -s -p0 <p.diff) && cmp -s "$tmp/p.camp" "$dir/spring.expected"; then ok
else bad "--diff: patch(1) applied to spring.camp does not give spring.expected"; fi
# --diff without --check: rewrites the file and prints the same diff.
cp "$dir/spring.camp" "$tmp/s.camp"
(cd "$tmp" && "$CAMP" fmt --diff s.camp >"$tmp/s2.diff"); rc=$?
if [ $rc -eq 0 ] && cmp -s "$tmp/s.camp" "$dir/spring.expected" &&
   [ "$(tail -n 1 "$tmp/s2.diff")" = "s.camp: formatted (42 lines changed)" ] &&
   [ "$(sed '$d' "$tmp/s2.diff")" = "$(sed '$d' "$dir/spring.diff")" ]; then ok
else bad "--diff: rc=$rc; want the file rewritten, the diff of spring.diff and the formatted line"; fi
cp "$dir/spring.camp" "$tmp/s.camp"
out=$("$CAMP" fmt "$tmp/s.camp"); rc=$?
if [ $rc -eq 0 ] && cmp -s "$tmp/s.camp" "$dir/spring.expected" &&
   [ "$out" = "$tmp/s.camp: formatted (42 lines changed)" ]; then ok
else bad "in-place rewrite: rc=$rc, output='$out', or the result differs from spring.expected"; fi
out=$("$CAMP" fmt --check "$tmp/s.camp"); rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then ok
else bad "--check on a formatted file: rc=$rc output='$out'"; fi
printf 'schema s { id int key }\ncampaign c {\n  a = s where id >\n}\n' >"$tmp/bad.camp"
cp "$tmp/bad.camp" "$tmp/bad.orig"
"$CAMP" fmt "$tmp/bad.camp" 2>"$tmp/bad.err"; rc=$?
if [ $rc -eq 1 ] && cmp -s "$tmp/bad.camp" "$tmp/bad.orig" && grep -q 'error' "$tmp/bad.err"; then ok
else bad "syntax error: rc=$rc (want 1, file unchanged, diagnostics on stderr)"; fi
out=$(printf 'schema  s{id int key}' | "$CAMP" fmt -); rc=$?
if [ $rc -eq 0 ] && [ "$out" = "$(printf 'schema s {\n  id int key\n}')" ]; then ok
else bad "stdin to stdout: rc=$rc output='$out'"; fi

# --- idempotence over every .camp in the tree
for f in $(find "$root/tests" "$root/examples" "$root/stdlib" -name '*.camp' 2>/dev/null | sort); do
  rel=${f#"$root"/}
  if ! "$CAMP" fmt --output - "$f" >"$tmp/i1" 2>"$tmp/ierr"; then
    if grep -q 'internal error' "$tmp/ierr"; then bad "$rel: $(head -n 1 "$tmp/ierr")"; fi
    continue  # files with syntax errors (diagnostic tests) are not formatted
  fi
  if "$CAMP" fmt - <"$tmp/i1" >"$tmp/i2" 2>"$tmp/ierr" && cmp -s "$tmp/i1" "$tmp/i2"; then
    ok
  else
    bad "$rel: formatting is not idempotent"
  fi
  # --diff of every file that changes is a patch that gives the formatted text.
  if ! cmp -s "$f" "$tmp/i1"; then
    cp "$f" "$tmp/d.camp"
    (cd "$tmp" && "$CAMP" fmt --check --diff d.camp | grep -v '^d.camp: not formatted' >d.diff)
    if (cd "$tmp" && patch -s -p0 <d.diff) && cmp -s "$tmp/d.camp" "$tmp/i1"; then ok
    else bad "$rel: fmt --diff is not a patch from the file to its formatted text"; fi
  fi
done

echo "fmt: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
