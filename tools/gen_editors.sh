#!/bin/sh
# gen_editors.sh [--check] CAMP_BINARY — rewrites the word lists of the editor
# grammars (editors/) from `camp keywords --format json`, the JSON form of
# lang/keywords.def, so no grammar keeps a hand-copied list.
#
# A grammar marks each generated line with a comment naming a list, e.g.
#   "comment": "@generated keywords.decl"        (TextMate JSON)
#   " @generated keywords.decl                   (Vim)
#   ;; @generated keywords.decl                  (Emacs Lisp)
# and the line right after the marker is rewritten in place:
#   (?:a|b|c)        TextMate alternation
#   \%(a\|b\|c\)     Vim regexp group
#   '("a" "b" "c")   Emacs list
# List names: keywords.CLASS, types, functions, aggregates, feedback, headers.
#
# With --check nothing is written; exit 1 when a grammar differs from what
# would be generated (lists drifted from keywords.def).  Also exit 1 when a
# grammar lacks a slot for some list (e.g. a new keyword class), or names a
# list the JSON does not have.
set -eu

check=0
if [ "${1:-}" = "--check" ]; then check=1; shift; fi
if [ $# -ne 1 ]; then
  echo "usage: tools/gen_editors.sh [--check] CAMP_BINARY" >&2
  exit 2
fi
camp=$1
root=$(cd "$(dirname "$0")/.." && pwd)
grammars="editors/vscode/syntaxes/camp.tmLanguage.json editors/vim/syntax/camp.vim editors/emacs/camp-mode.el"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

"$camp" keywords --format json > "$tmp/kw.json"

# Flattens the JSON into "LIST WORD" lines, LIST being the dotted key path
# (keywords.decl, types, ...).  A small tokenizer, not a full JSON parser: it
# handles objects, arrays and strings without escapes, which is all the
# `camp keywords` output holds.
awk '
  {
    s = s $0 "\n"
  }
  END {
    depth = 0; n = length(s); i = 1; expect_key = 0
    while (i <= n) {
      c = substr(s, i, 1)
      if (c == "{") { depth++; kind[depth] = "obj"; expect_key = 1; i++; continue }
      if (c == "[") { depth++; kind[depth] = "arr"; i++; continue }
      if (c == "}" || c == "]") { depth--; i++; continue }
      if (c == ",") { if (kind[depth] == "obj") expect_key = 1; i++; continue }
      if (c == ":") { expect_key = 0; i++; continue }
      if (c == "\"") {
        j = index(substr(s, i + 1), "\"")
        str = substr(s, i + 1, j - 1)
        i += j + 1
        if (kind[depth] == "obj" && expect_key) { key[depth] = str; continue }
        path = ""
        for (d = 1; d < depth; d++) if (kind[d] == "obj") path = path (path == "" ? "" : ".") key[d]
        print path, str
        continue
      }
      i++
    }
  }' "$tmp/kw.json" > "$tmp/words"

if [ ! -s "$tmp/words" ]; then
  echo "gen_editors: \`$camp keywords --format json\` gave no words" >&2
  exit 1
fi
cut -d' ' -f1 "$tmp/words" | uniq > "$tmp/lists"

# Rewrites one grammar; prints every list it filled to fd 3 (one a line).
rewrite() {
  awk -v sq="'" -v lists_file="$tmp/words" -v used="$tmp/used" -v fname="$1" '
    BEGIN {
      while ((getline line < lists_file) > 0) {
        split(line, f, " ")
        words[f[1]] = (f[1] in words) ? words[f[1]] " " f[2] : f[2]
      }
      bad = 0
    }
    function joined(list, sep, pre, post,   a, k, m, out) {
      m = split(words[list], a, " ")
      out = ""
      for (k = 1; k <= m; k++) out = out (k > 1 ? sep : "") pre a[k] post
      return out
    }
    pending != "" {
      list = pending; pending = ""
      if (!(list in words)) {
        printf "gen_editors: %s:%d: unknown list `%s`\n", fname, NR - 1, list > "/dev/stderr"
        bad = 1; print; next
      }
      print list >> used
      if (match($0, /\(\?:[a-z_]+(\|[a-z_]+)*\)/)) {
        $0 = substr($0, 1, RSTART - 1) "(?:" joined(list, "|", "", "") ")" substr($0, RSTART + RLENGTH)
      } else if (match($0, /\\%\([a-z_]+(\\\|[a-z_]+)*\\\)/)) {
        $0 = substr($0, 1, RSTART - 1) "\\%(" joined(list, "\\|", "", "") "\\)" substr($0, RSTART + RLENGTH)
      } else if (index($0, sq "(") > 0) {
        p = index($0, sq "("); rest = substr($0, p)
        q = index(rest, ")")
        $0 = substr($0, 1, p - 1) sq "(" joined(list, " ", "\"", "\"") substr(rest, q)
      } else {
        printf "gen_editors: %s:%d: no list slot after the @generated marker\n", fname, NR > "/dev/stderr"
        bad = 1
      }
      print; next
    }
    /@generated [a-z.]+/ {
      match($0, /@generated [a-z.]+/)
      pending = substr($0, RSTART + 11, RLENGTH - 11)
    }
    { print }
    END { exit bad }' "$root/$1"
}

status=0
for g in $grammars; do
  : > "$tmp/used"
  out="$tmp/$(basename "$g")"
  if ! rewrite "$g" > "$out"; then status=1; continue; fi
  # Every list in the JSON must have a slot in every grammar.
  for l in $(cat "$tmp/lists"); do
    if ! grep -qx "$l" "$tmp/used"; then
      echo "gen_editors: $g has no @generated slot for list \`$l\`" >&2
      status=1
    fi
  done
  if cmp -s "$out" "$root/$g"; then continue; fi
  if [ $check = 1 ]; then
    echo "gen_editors: $g is out of date with lang/keywords.def (run tools/gen_editors.sh $camp):" >&2
    diff -u "$root/$g" "$out" | sed -n '3,40p' >&2 || true
    status=1
  else
    cat "$out" > "$root/$g"
    echo "gen_editors: rewrote $g"
  fi
done
exit $status
