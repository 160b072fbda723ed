# lib.sh — helpers shared by tests/run.sh and, optionally, the sub-suites
# (source it: `. tests/lib.sh`).  POSIX sh; no bashisms.
#
# Counters live in T_PASS, T_FAIL, T_SKIP; t_pass / t_fail / t_skip bump them
# and t_fail prints the one-line reason.  t_summary NAME prints the line
# `NAME: N passed, N failed[, N skipped]` that tests/run.sh parses.

T_PASS=0
T_FAIL=0
T_SKIP=0
T_DIFF_LINES=${T_DIFF_LINES:-40}

t_pass() { T_PASS=$((T_PASS + 1)); }
t_skip() { T_SKIP=$((T_SKIP + 1)); }

# t_fail MESSAGE — one failure, reported on one line.
t_fail() {
  T_FAIL=$((T_FAIL + 1))
  printf 'FAIL %s\n' "$*"
}

# eq NAME EXPECTED ACTUAL — passes when the two strings are equal, else one
# failure naming both (the suites' most common assertion).
eq() { if [ "$2" = "$3" ]; then t_pass; else t_fail "$1: want [$2], got [$3]"; fi; }

# t_diff EXPECTED ACTUAL — unified diff, cut to T_DIFF_LINES lines.
t_diff() {
  diff -u "$1" "$2" > "${TMPDIR:-/tmp}/t_diff.$$" 2>&1
  head -n "$T_DIFF_LINES" "${TMPDIR:-/tmp}/t_diff.$$" | sed 's/^/    /'
  n=$(wc -l < "${TMPDIR:-/tmp}/t_diff.$$")
  [ "$n" -gt "$T_DIFF_LINES" ] && printf '    ... (%s more diff lines)\n' "$((n - T_DIFF_LINES))"
  rm -f "${TMPDIR:-/tmp}/t_diff.$$"
}

# t_golden NAME EXPECTED ACTUAL — compares ACTUAL with the golden EXPECTED;
# with BLESS=1 rewrites EXPECTED instead.  Returns 0 when they match.
t_golden() {
  if [ "${BLESS:-0}" = 1 ]; then
    cp "$3" "$2"
    return 0
  fi
  if [ ! -f "$2" ]; then
    t_fail "$1: no golden file $2 (run: make bless, or BLESS=1 sh tests/run.sh CAMP)"
    return 1
  fi
  cmp -s "$2" "$3" && return 0
  t_fail "$1: output differs from $2"
  t_diff "$2" "$3"
  return 1
}

# t_summary NAME — the line the main runner parses.
t_summary() {
  if [ "$T_SKIP" -gt 0 ]; then
    printf '%s: %d passed, %d failed, %d skipped\n' "$1" "$T_PASS" "$T_FAIL" "$T_SKIP"
  else
    printf '%s: %d passed, %d failed\n' "$1" "$T_PASS" "$T_FAIL"
  fi
}

T_SUMMARY_RE='^[^:]*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed\(, \([0-9][0-9]*\) skipped\)\{0,1\}[[:space:]]*$'

# t_parse_summary FILE — prints "PASSED FAILED SKIPPED LAST" from the last
# line of FILE that reads `X: N passed, N failed[, N skipped]`, where LAST is
# 1 when that line is also the last non-empty line; prints nothing when no
# line has that form.
t_parse_summary() {
  last=$(grep -v '^[[:space:]]*$' "$1" | tail -n 1)
  line=$(grep "$T_SUMMARY_RE" "$1" | tail -n 1)
  [ -n "$line" ] || return 0
  printf '%s\n' "$line" | sed -n "s/$T_SUMMARY_RE/\\1 \\2 \\4/p" |
    awk -v last="$([ "$line" = "$last" ] && echo 1 || echo 0)" \
      '{ print $1, $2, ($3 == "" ? 0 : $3), last }'
}

# t_signal_name RC — " (killed by SIGNAME)" for an exit status above 128.
t_signal_name() {
  [ "$1" -gt 128 ] 2>/dev/null || return 0
  printf ' (killed by signal %s)' "$(kill -l "$(($1 - 128))" 2>/dev/null || echo "$(($1 - 128))")"
}
