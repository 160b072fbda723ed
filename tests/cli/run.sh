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

# --------------------------------------------------------------- fixture
# 3,000 customers, 1,000 stores (no primary key: nothing indexes stores.id),
# 9,000 orders (no index on customer_id).
cat > "$TMP/shop.sql" << 'EOF'
CREATE TABLE stores (id INTEGER, city TEXT);
CREATE TABLE customers (id INTEGER PRIMARY KEY, city TEXT, age INTEGER, store_id INTEGER,
                        email TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, amount REAL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
INSERT INTO customers SELECT i,
  CASE WHEN i % 10 < 3 THEN 'Stockholm' WHEN i % 10 < 5 THEN 'Malmo' WHEN i % 10 = 5 THEN 'Oslo'
       WHEN i % 10 = 6 THEN NULL ELSE 'town' || (i % 31) END,
  18 + i % 60, 1 + i % 1000, 'c' || i || '@x.se' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
INSERT INTO stores SELECT i, CASE WHEN i % 3 = 0 THEN 'Uppsala' ELSE 'Lund' END FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 9000)
INSERT INTO orders SELECT i, 1 + (i * i * 7) % 2999, (i % 100) * 1.5 FROM n;
EOF
cat > "$TMP/schema.camp" << 'EOF'
schema stores {
  id int key
  city text
}

schema customers {
  id int key
  city text
  age int
  store_id int -> stores
  email text address(email)
}

schema orders {
  id int key
  customer_id int -> customers
  amount decimal
}
EOF
cat > "$TMP/a.camp" << 'EOF'
import "schema"

campaign a {
  adults = customers where age >= 30
  rich = enrich adults {
    n = count(orders)
    store_city = store.city
  }
  big, small = split rich {
    big when n > 3
    else
  }
}
EOF
sed 's/^campaign a {/campaign b {/' "$TMP/a.camp" > "$TMP/b.camp"
cat > "$TMP/w.camp" << 'EOF'
import "schema"

campaign w {
  young = customers where age < 20
  later = wait young 3d
  still = later where age > 10
}
EOF
fresh_db() { rm -f "$1"; sqlite3 -batch "$1" < "$TMP/shop.sql"; }
# `camp run` of a campaign that ran before (if this camp asks for a flag);
# SQL, so these runs do not depend on the rule engines.
NEW_RUN=
camp run --help | grep -q -- '--new-run' && NEW_RUN=--new-run
run_camp() { camp run "$@" --engine sql $NEW_RUN > /dev/null 2> "$TMP/run.err" || cat "$TMP/run.err"; }
result_tables() { # DB RUN: result tables of one run
  q "$1" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name GLOB 'camp_r$2_*'"
}
camp_bytes() { # DB: bytes of camp's tables and indexes, by dbstat
  q "$1" "SELECT sum(pgsize) FROM dbstat d JOIN sqlite_master m ON m.name = d.name
          WHERE m.tbl_name GLOB 'camp_*'"
}

# ------------------------------------------------------ gc, status space
DB=$TMP/gc.sqlite
fresh_db "$DB"
for day in 01 02 03 04; do run_camp "$TMP/a.camp" --db "$DB" --now "2026-03-$day"; done  # runs 1-4
run_camp "$TMP/b.camp" --db "$DB" --now 2026-03-05                                        # run 5
run_camp "$TMP/w.camp" --db "$DB" --now 2026-03-06                                        # run 6
eq "gc fixture: six runs, the last waiting" "done done done done done waiting" \
  "$(q "$DB" "SELECT state FROM camp_runs ORDER BY id" | tr '\n' ' ' | sed 's/ $//')"
per_run=$(result_tables "$DB" 1)
[ "$per_run" -ge 4 ] && t_pass || t_fail "gc fixture: run 1 has $per_run result tables"
all_before=$(q "$DB" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name GLOB 'camp_*'")
res_before=$(q "$DB" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name GLOB 'camp_r[0-9]*_*'")
bytes_before=$(camp_bytes "$DB")
camp status --db "$DB" > "$TMP/st.txt" 2>&1
has "status: space line counts camp's tables" "$TMP/st.txt" \
  "space: $all_before camp tables ($res_before result tables of 6 runs), "
has "status: space line points at gc" "$TMP/st.txt" "camp gc --db DB [--keep N]"
camp gc --db "$DB" --keep 2 --dry-run > "$TMP/gc.out" 2>&1
eq "gc --dry-run: exit 0" 0 $?
eq "gc --dry-run: names runs 1 and 2 of campaign a" \
  "would drop run 2 (a): $per_run tables;would drop run 1 (a): $per_run tables;" \
  "$(sed -n 's/^\(would drop run [0-9]* ([a-z]*): [0-9]* tables\),.*/\1/p' "$TMP/gc.out" | tr '\n' ';')"
eq "gc --dry-run: drops nothing" "$res_before" \
  "$(q "$DB" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name GLOB 'camp_r[0-9]*_*'")"
camp gc --db "$DB" --keep 2 > "$TMP/gc.out" 2>&1
eq "gc --keep 2: exit 0" 0 $?
eq "gc --keep 2: runs 1 and 2 have no tables, 3 and 4 keep theirs" "0 0 $per_run $per_run" \
  "$(result_tables "$DB" 1) $(result_tables "$DB" 2) $(result_tables "$DB" 3) $(result_tables "$DB" 4)"
[ "$(result_tables "$DB" 5)" -gt 0 ] && [ "$(result_tables "$DB" 6)" -gt 0 ] && t_pass ||
  t_fail "gc --keep 2: touched runs of other campaigns"
has "gc: says what it dropped" "$TMP/gc.out" "dropped $((2 * per_run)) tables of 2 runs"
eq "gc: run rows and counts stay" "6 6" \
  "$(q "$DB" "SELECT count(*) FROM camp_runs") $(q "$DB" "SELECT count(DISTINCT run_id) FROM camp_counts")"
camp status --db "$DB" 1 > "$TMP/st1.txt" 2>&1
eq "gc: status of a collected run still works" 0 $?
has "gc: its counts are still shown" "$TMP/st1.txt" "adults="
bytes_after=$(camp_bytes "$DB")
[ "$bytes_after" -lt "$bytes_before" ] && t_pass || t_fail "gc: camp's bytes $bytes_before -> $bytes_after"
camp status --db "$DB" > "$TMP/st.txt" 2>&1
has "status: space after gc" "$TMP/st.txt" "($((res_before - 2 * per_run)) result tables of 4 runs)"
camp gc --db "$DB" --keep 2 > "$TMP/gc.out" 2>&1
has "gc again: nothing to drop" "$TMP/gc.out" "nothing to drop"
# A failed run (resumable) and a waiting run are never collected.
q "$DB" "UPDATE camp_runs SET state = 'failed' WHERE id = 3"
camp gc --db "$DB" --keep 0 > "$TMP/gc.out" 2>&1
eq "gc --keep 0: drops every finished run, never failed or waiting ones" "$per_run 0 0 x" \
  "$(result_tables "$DB" 3) $(result_tables "$DB" 4) $(result_tables "$DB" 5) $([ "$(result_tables "$DB" 6)" -gt 0 ] && echo x)"
# The waiting run still resumes and finishes after a gc.
camp resume --db "$DB" --run 6 --now 2026-03-10 > /dev/null 2>&1
eq "gc: the waiting run resumes to done" done "$(q "$DB" "SELECT state FROM camp_runs WHERE id = 6")"
# The default keeps 3 finished runs per campaign.
DB2=$TMP/gc2.sqlite
fresh_db "$DB2"
for day in 01 02 03 04 05; do run_camp "$TMP/a.camp" --db "$DB2" --now "2026-03-$day"; done
camp gc --db "$DB2" > /dev/null 2>&1
eq "gc default: keeps the newest 3 finished runs" "0 0 $per_run $per_run $per_run" \
  "$(for r in 1 2 3 4 5; do printf '%s ' "$(result_tables "$DB2" $r)"; done | sed 's/ $//')"
camp gc --db "$DB2" --keep x > /dev/null 2> "$TMP/e"
eq "gc --keep x: usage error" 2 $?
camp gc --db "$DB2" --keep -1 > /dev/null 2> "$TMP/e"
eq "gc --keep -1: usage error" 2 $?
camp gc > /dev/null 2> "$TMP/e"
eq "gc without --db: usage error" 2 $?
camp gc --db "$TMP/nope.sqlite" > /dev/null 2> "$TMP/e"
eq "gc of a missing database: exit 1" 1 $?
fresh_db "$TMP/plain.sqlite"
eq "gc of a database camp never ran on" "no camp runs in $TMP/plain.sqlite" \
  "$(camp gc --db "$TMP/plain.sqlite" 2>&1)"

# ------------------------------------------------- plan: missing indexes
DB=$TMP/ix.sqlite
fresh_db "$DB"
camp plan "$TMP/a.camp" --db "$DB" --now 2026-03-01 --engine sql > "$TMP/plan1.out" 2> "$TMP/plan1.err"
eq "plan without indexes: exit 0" 0 $?
has "plan: names the collection's link column without an index" "$TMP/plan1.err" \
  "warning: no index on orders(customer_id): step rich looks up orders rows by customer_id"
has "plan: names the link target's key without an index" "$TMP/plan1.err" \
  "warning: no index on stores(id): step rich looks up stores rows by id"
has "plan: the fix for orders" "$TMP/plan1.err" "  fix: CREATE INDEX orders_customer_id ON orders(customer_id);"
hasnt "plan: an indexed key is not reported" "$TMP/plan1.err" "customers(id)"
# The printed statements, run as they are, silence the warnings and change
# no count.
sed -n 's/^  fix: //p' "$TMP/plan1.err" > "$TMP/fix.sql"
eq "plan: two fixes" 2 "$(wc -l < "$TMP/fix.sql")"
sqlite3 -batch "$DB" < "$TMP/fix.sql" && t_pass || t_fail "plan: the printed CREATE INDEX does not run"
camp plan "$TMP/a.camp" --db "$DB" --now 2026-03-01 --engine sql > "$TMP/plan2.out" 2> "$TMP/plan2.err"
eq "plan with the indexes: no warning" "" "$(grep warning "$TMP/plan2.err")"
cmp -s "$TMP/plan1.out" "$TMP/plan2.out" && t_pass || t_fail "plan: counts changed with the indexes"
# Small tables are not worth a warning.
sqlite3 -batch "$TMP/small.sqlite" "CREATE TABLE stores (id INTEGER, city TEXT);
  CREATE TABLE customers (id INTEGER PRIMARY KEY, city TEXT, age INTEGER, store_id INTEGER, email TEXT);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, amount REAL);
  INSERT INTO customers VALUES (1, 'Oslo', 40, 1, 'a@x'); INSERT INTO orders VALUES (1, 1, 5);"
camp plan "$TMP/a.camp" --db "$TMP/small.sqlite" --now 2026-03-01 --engine sql > /dev/null 2> "$TMP/plan3.err"
eq "plan on small tables: no warning" "" "$(grep warning "$TMP/plan3.err")"

# ---------------------------------------------------------------- values
DB=$TMP/values.sqlite
fresh_db "$DB"
sum_before=$(cksum < "$DB")
# values_rows OUT: camp's table rows as "value count percent" (commas out).
values_rows() { sed -n '3,$p' "$1" | grep -v '^  ([0-9,]* more value' | sed 's/^  //; s/,//g' | awk '{ print $1, $2, $3 }'; }
# expect_rows SQL: the expected rows from a "value|count" query, with the
# total for the percentages.
expect_rows() {
  total=$(q "$DB" "SELECT count(*) FROM ($1)")
  q "$DB" "SELECT coalesce(v, '(null)'), count(*) FROM ($1) GROUP BY v ORDER BY count(*) DESC, v LIMIT 20" |
    awk -F'|' -v t="$total" '{ printf "%s %s %.1f%%\n", $1, $2, 100 * $2 / t }'
}
camp values "$TMP/a.camp" --db "$DB" --step adults city --now 2026-03-01 > "$TMP/v1.out" 2> "$TMP/v1.err"
eq "values: exit 0" 0 $?
total=$(q "$DB" "SELECT count(*) FROM customers WHERE age >= 30")
distinct=$(q "$DB" "SELECT count(DISTINCT city) + (count(*) > count(city)) FROM customers WHERE age >= 30")
eq "values: the header line" "city in adults: $total rows, $distinct distinct values" \
  "$(head -n 1 "$TMP/v1.out" | sed 's/,\([0-9]\)/\1/g')"
expect_rows "SELECT city AS v FROM customers WHERE age >= 30" > "$TMP/v1.want"
values_rows "$TMP/v1.out" > "$TMP/v1.got"
cmp -s "$TMP/v1.want" "$TMP/v1.got" && t_pass || { t_fail "values: city counts differ from SQL"; t_diff "$TMP/v1.want" "$TMP/v1.got"; }
eq "values: 20 rows" 20 "$(wc -l < "$TMP/v1.got")"
has "values: NULL shown as (null)" "$TMP/v1.got" "(null) "
shown=$(awk '{ s += $2 } END { print s }' "$TMP/v1.want")
eq "values: the rest in one line" \
  "  ($((distinct - 20)) more values: $((total - shown)) rows, $(awk -v a="$((total - shown))" -v t="$total" 'BEGIN { printf "%.1f", 100 * a / t }')%)" \
  "$(tail -n 1 "$TMP/v1.out" | sed 's/,\([0-9]\)/\1/g')"
# An enriched column and a column through a link.
camp values "$TMP/a.camp" --db "$DB" --step rich n --now 2026-03-01 > "$TMP/v2.out" 2>&1
expect_rows "SELECT (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) AS v FROM customers c WHERE age >= 30" > "$TMP/v2.want"
values_rows "$TMP/v2.out" > "$TMP/v2.got"
cmp -s "$TMP/v2.want" "$TMP/v2.got" && t_pass || { t_fail "values: enriched n differs from SQL"; t_diff "$TMP/v2.want" "$TMP/v2.got"; }
camp values "$TMP/a.camp" --db "$DB" --step big store.city --now 2026-03-01 > "$TMP/v3.out" 2>&1
expect_rows "SELECT s.city AS v FROM customers c LEFT JOIN stores s ON s.id = c.store_id WHERE c.age >= 30
             AND (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) > 3" > "$TMP/v3.want"
values_rows "$TMP/v3.out" > "$TMP/v3.got"
cmp -s "$TMP/v3.want" "$TMP/v3.got" && t_pass || { t_fail "values: store.city of big differs from SQL"; t_diff "$TMP/v3.want" "$TMP/v3.got"; }
eq "values: the database is unchanged" "$sum_before" "$(cksum < "$DB")"
camp values "$TMP/a.camp" --db "$DB" --step nope city > /dev/null 2> "$TMP/e"
eq "values: unknown step: exit 1" 1 $?
has "values: unknown step lists the steps" "$TMP/e" "steps with a population: adults rich big small"
camp values "$TMP/a.camp" --db "$DB" --step adults nope > /dev/null 2> "$TMP/e"
eq "values: unknown column: exit 1" 1 $?
has "values: unknown column lists the columns" "$TMP/e" "columns: id city age store_id"
camp values "$TMP/a.camp" --db "$DB" city > /dev/null 2> "$TMP/e"
eq "values without --step: usage error" 2 $?

t_summary cli
[ "$T_FAIL" = 0 ]
