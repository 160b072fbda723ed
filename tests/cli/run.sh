#!/bin/sh
# tests/cli/run.sh CAMP — the command line a new user meets: help, man page
# and shell completions (all generated from cli/commands.c), `make
# install-files`, `camp gc` and the space line of `camp status`, `camp
# values`, and the missing-index warnings of `camp plan`.  POSIX sh +
# sqlite3.  Last line: `cli: N passed, N failed[, N skipped]`.
#
# Expected answers come from the command table as printed by `camp help`
# (the parser refuses any call whose option list differs from the table,
# so every command is called once with an unknown option below), and from
# sqlite3 queries over the fixtures, never from camp itself.

if [ $# -ne 1 ]; then
  echo "usage: sh tests/cli/run.sh CAMP_BINARY" >&2
  exit 2
fi
case $1 in
  /*) CAMP=$1 ;;
  *) CAMP=$(pwd)/$1 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$HERE/../lib.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-cli.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
export NO_COLOR=1
cd "$TMP" || exit 2  # probes below may name files (--output x): keep them here

camp() { timeout -k 5 "${T_TIMEOUT:-60}" "$CAMP" "$@"; }
q() { sqlite3 -batch "$1" "$2"; }
eq() { if [ "$2" = "$3" ]; then t_pass; else t_fail "$1: want [$2], got [$3]"; fi; }
has() {
  if grep -qF -e "$3" "$2"; then t_pass; else
    t_fail "$1: no \`$3\` in:"
    sed -n '1,12s/^/    /p' "$2"
  fi
}
hasnt() {
  if grep -qF -e "$3" "$2"; then t_fail "$1: unexpected \`$3\` in:"; sed -n '1,12s/^/    /p' "$2"
  else t_pass; fi
}

# ------------------------------------------------------------------ help
camp help > "$TMP/help" 2>&1
eq "help: exit 0" 0 $?
# The command names: the lines under `commands:` up to the blank line.
sed -n '/^commands:/,/^$/p' "$TMP/help" | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' > "$TMP/commands"
n=$(wc -l < "$TMP/commands")
if [ "$n" -ge 17 ]; then t_pass; else t_fail "help: only $n commands listed"; fi
for c in check sql fmt schema plan run resume status gc values graph outbox snapshot keywords lsp help completion; do
  grep -qx "$c" "$TMP/commands" && t_pass || t_fail "help: command $c not listed"
done
camp --help > "$TMP/help2" 2>&1
cmp -s "$TMP/help" "$TMP/help2" && t_pass || t_fail "camp --help differs from camp help"

# The options of a command: every `  --name` / `  -I` line of its help.
options_of() {
  sed -n '/^options:/,/^$/p' "$1" | sed -n 's/^  \(-[-A-Za-z]*\).*/\1/p' | sed 's/,$//' |
    grep -v -e '^--help$' -e '^-h$'
}
# A value for an option in a probe call (only parsing is tested).
value_for() {
  case $1 in
    --format) echo text ;; --engine) echo auto ;; --now) echo 2026-03-01 ;;
    --keep | --run) echo 1 ;; *) echo x ;;
  esac
}
while IFS= read -r c; do
  camp "$c" --help > "$TMP/h.$c" 2> "$TMP/h.$c.err"
  rc=$?
  eq "$c --help: exit 0, nothing on stderr" "0|" "$rc|$(cat "$TMP/h.$c.err")"
  head -n 1 "$TMP/h.$c" | grep -q "^usage: camp $c" && t_pass ||
    t_fail "$c --help: first line is not \`usage: camp $c ...\`"
  camp help "$c" > "$TMP/hh.$c" 2>&1
  cmp -s "$TMP/h.$c" "$TMP/hh.$c" && t_pass || t_fail "camp help $c differs from camp $c --help"
  camp "$c" -h > "$TMP/hs.$c" 2>&1
  cmp -s "$TMP/h.$c" "$TMP/hs.$c" && t_pass || t_fail "camp $c -h differs from camp $c --help"
  has "$c --help: an example" "$TMP/h.$c" "example:"
  grep -A1 '^example:' "$TMP/h.$c" | tail -n 1 | grep -q "^  camp $c\|^  source <(camp $c\|^  \*/10.*camp $c" &&
    t_pass || t_fail "$c --help: the example does not use camp $c"
  # Aligned: every option description starts in the same column.
  cols=$(sed -n '/^options:/,/^$/p' "$TMP/h.$c" | grep '^  -' |
    awk '{ if (match($0, /^  (-h, --help|-[^ ]*( [A-Z][A-Z_.]*)?)  +/)) print RLENGTH }' | sort -u | wc -l)
  eq "$c --help: option descriptions aligned" 1 "$cols"
  # The parser accepts every option the help lists (and the table check in
  # cli_parse passes: an unknown option is refused as such, not as an
  # internal error).
  if [ "$c" != lsp ]; then
    camp "$c" --no-such-option > /dev/null 2> "$TMP/u.err"
    rc=$?
    if [ "$rc" = 2 ] && grep -q "unknown option .--no-such-option." "$TMP/u.err"; then t_pass
    else t_fail "$c: an unknown option gives exit $rc: $(head -n 1 "$TMP/u.err")"; fi
  fi
  options_of "$TMP/h.$c" > "$TMP/o.$c"
  while IFS= read -r opt; do
    if grep -q "^  $opt [A-Z]" "$TMP/h.$c"; then
      camp "$c" "$opt" "$(value_for "$opt")" > /dev/null 2> "$TMP/p.err" < /dev/null
    else
      camp "$c" "$opt" > /dev/null 2> "$TMP/p.err" < /dev/null
    fi
    if grep -q -e "unknown option" -e "internal error" -e "takes no value" "$TMP/p.err"; then
      t_fail "$c $opt: listed by --help but refused: $(head -n 1 "$TMP/p.err")"
    else t_pass; fi
  done < "$TMP/o.$c"
done < "$TMP/commands"
camp help nope > /dev/null 2> "$TMP/e"
eq "help of an unknown command: exit 2" 2 $?
has "help of an unknown command: says so" "$TMP/e" "unknown command \`nope\`"
# `--` ends the options: a file named --help is a file.
camp check -- --help > /dev/null 2> "$TMP/e"
has "check -- --help: a file, not the help" "$TMP/e" "cannot read \`--help\`"

# -------------------------------------------------------------- man page
camp help --man > "$TMP/camp.1" 2> "$TMP/man.err"
eq "help --man: exit 0" 0 $?
while IFS= read -r c; do
  grep -q "^\.SS \"camp $c " "$TMP/camp.1" && t_pass || t_fail "man: no section for camp $c"
  # Every option of the command's help appears in its man section.
  sed -n "/^\.SS \"camp $c /,/^\.SS /p" "$TMP/camp.1" > "$TMP/man.$c"
  while IFS= read -r opt; do
    roff=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
    grep -q "^\\\\fB$roff\\\\fR" "$TMP/man.$c" && t_pass || t_fail "man: camp $c lacks $opt"
  done < "$TMP/o.$c"
done < "$TMP/commands"
if command -v groff > /dev/null; then
  groff -man -Tutf8 -ww -z "$TMP/camp.1" > "$TMP/groff.out" 2>&1
  eq "man: groff -ww renders without warnings" "0|" "$?|$(head -c 300 "$TMP/groff.out")"
else t_skip; fi
if command -v man > /dev/null; then
  MANWIDTH=80 man -l "$TMP/camp.1" > "$TMP/man.txt" 2> "$TMP/man.err"
  has "man -l: renders the name" "$TMP/man.txt" "camp - batch marketing campaigns as code"
  has "man -l: renders an option" "$TMP/man.txt" "--dry-run"
else t_skip; fi

# ----------------------------------------------------------- completions
camp completion bash > "$TMP/camp.bash" && bash -n "$TMP/camp.bash" && t_pass ||
  t_fail "completion bash: bash -n fails"
camp completion zsh > "$TMP/_camp" || t_fail "completion zsh: exit $?"
if command -v zsh > /dev/null; then
  zsh -n "$TMP/_camp" 2> "$TMP/zsh.err" && t_pass || t_fail "completion zsh: zsh -n: $(head -n 3 "$TMP/zsh.err")"
  # Loaded by compinit from $fpath, it completes without errors.
  zsh -f -c "fpath=($TMP \$fpath); autoload -Uz compinit; compinit -u -d $TMP/zcd; whence -w _camp" \
    > "$TMP/zsh.out" 2>&1
  has "completion zsh: compinit finds _camp" "$TMP/zsh.out" "_camp: function"
else t_skip; t_skip; fi
camp completion fish > "$TMP/camp.fish" || t_fail "completion fish: exit $?"
if command -v fish > /dev/null; then
  fish -n "$TMP/camp.fish" && t_pass || t_fail "completion fish: fish -n fails"
else t_skip; fi
camp completion tcsh > /dev/null 2> "$TMP/e"
eq "completion of an unknown shell: exit 2" 2 $?
# The bash script, run: words the user typed -> what it offers.
complete_bash() {
  bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _camp; printf "%s\n" "${COMPREPLY[@]}"' \
    sh "$TMP/camp.bash" "$@" 2>&1 | sort | tr '\n' ' '
}
eq "bash: commands" "plan " "$(complete_bash camp pl)"
eq "bash: an option" "--engine " "$(complete_bash camp plan --en)"
eq "bash: option values" "auto interp jit sql " "$(complete_bash camp plan --engine '')"
eq "bash: --opt=value" "json text " "$(complete_bash camp run --format = '')"
eq "bash: shells" "bash fish zsh " "$(complete_bash camp completion '')"
mkdir -p "$TMP/cd/sub" && : > "$TMP/cd/a.camp" && : > "$TMP/cd/b.txt"
eq "bash: .camp files and directories as operands" "$TMP/cd/a.camp $TMP/cd/sub " \
  "$(complete_bash camp check "$TMP/cd/")"
# Every command's options in bash == the options its --help lists.
while IFS= read -r c; do
  complete_bash camp "$c" - | tr ' ' '\n' | grep -v -e '^$' -e '^--help$' | sort > "$TMP/bo.$c"
  sort "$TMP/o.$c" > "$TMP/ho.$c"
  cmp -s "$TMP/bo.$c" "$TMP/ho.$c" && t_pass ||
    t_fail "bash: options of $c differ from its --help: $(diff "$TMP/ho.$c" "$TMP/bo.$c" | grep '^[<>]' | tr '\n' ' ')"
  # ... and in zsh and fish the same option names appear for the command.
  for opt in $(cat "$TMP/o.$c"); do
    sed -n "/^    $c)/,/;;/p" "$TMP/_camp" | grep -q -- "'\\*\\{0,1\\}$opt\\[" || {
      t_fail "zsh: $c lacks $opt"; continue; }
    t_pass
    name=${opt#-}; name=${name#-}
    grep -q "__fish_seen_subcommand_from $c' -[ls] $name " "$TMP/camp.fish" && t_pass ||
      t_fail "fish: $c lacks $opt"
  done
done < "$TMP/commands"

# --------------------------------------------------------- make install
if command -v make > /dev/null; then
  (cd "$ROOT" && make -s install-files BIN="$(dirname "$CAMP")" DESTDIR="$TMP/inst" PREFIX=/usr) \
    > "$TMP/inst.out" 2>&1
  eq "make install-files: exit 0" 0 $?
  for f in bin/camp share/man/man1/camp.1 share/bash-completion/completions/camp \
           share/zsh/site-functions/_camp share/fish/vendor_completions.d/camp.fish \
           share/camp/stdlib/dates.camp; do
    [ -s "$TMP/inst/usr/$f" ] && t_pass || t_fail "make install-files: no $f"
  done
  cmp -s "$TMP/inst/usr/share/man/man1/camp.1" "$TMP/camp.1" && t_pass ||
    t_fail "make install-files: the man page differs from camp help --man"
else t_skip; fi

t_summary cli
[ "$T_FAIL" = 0 ]
