#!/bin/sh
# tests/report/run.sh CAMP — the reporting commands: `camp status`,
# `camp outbox` and `camp graph`, on a database built from fixture.sql
# (camp's tables as store_migrate creates them, with two runs of promo.camp)
# and on promo.camp itself.  Text, CSV and DOT outputs are compared with
# goldens in expected/ (BLESS=1 rewrites them); JSON is validated with jq;
# every DOT output must render with `dot -Tsvg`.
# Needs: sqlite3, jq, graphviz (dot).  Ends with `report: N passed, N failed`.
CAMP=${1:?usage: tests/report/run.sh CAMP_BINARY}
case $CAMP in /*) ;; *) CAMP=$(pwd)/$CAMP ;; esac
[ -x "$CAMP" ] || { echo "report: $CAMP is not an executable (build it first)" >&2; echo "report: 0 passed, 1 failed"; exit 1; }
dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$dir/../.." && pwd)
. "$root/tests/lib.sh"
cd "$root" || exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/camp-report.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
export NO_COLOR=1
NOW='2026-04-11 10:00:00'
exp=$dir/expected
mkdir -p "$exp"

for tool in sqlite3 jq dot; do
  command -v $tool > /dev/null || { echo "report: needs $tool (make deps)" >&2; t_fail "missing $tool"; t_summary report; exit 1; }
done

db=$tmp/runs.db
sqlite3 "$db" < "$dir/fixture.sql" || { t_fail "fixture.sql does not load"; t_summary report; exit 1; }

# run NAME WANT_RC CMD... — runs CMD with stdout in $tmp/NAME.out and
# stderr in $tmp/NAME.err; fails unless it exits with WANT_RC.
run() {
  name=$1 want=$2
  shift 2
  "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
  rc=$?
  if [ "$rc" -ne "$want" ]; then
    t_fail "$name: exit $rc, want $want$(t_signal_name $rc): $(head -n 3 "$tmp/$name.err")"
    return 1
  fi
  return 0
}

# golden NAME WANT_RC CMD... — run, then compare stdout with expected/NAME.
golden() {
  name=$1
  run "$@" || return 1
  t_golden "$name" "$exp/$name" "$tmp/$name.out" && t_pass
}

# jq_check NAME FILTER — FILTER (a jq boolean) holds on $tmp/NAME.out.
jq_check() {
  if [ "$(jq -e "$2" "$tmp/$1.out" 2> "$tmp/jq.err")" = true ]; then
    t_pass
  else
    t_fail "$1: jq '$2' is not true ($(head -n 1 "$tmp/jq.err"))"
  fi
}

# err_has NAME TEXT — stderr of NAME mentions TEXT.
err_has() {
  if grep -qF -- "$2" "$tmp/$1.err"; then t_pass; else t_fail "$1: stderr lacks \`$2\`: $(head -n 2 "$tmp/$1.err")"; fi
}

# ------------------------------------------------------------ status
golden status_list.txt 0 "$CAMP" status --db "$db" --now "$NOW"
golden status_run2.txt 0 "$CAMP" status --db "$db" 2 --now "$NOW"
golden status_run3.txt 0 "$CAMP" status --db "$db" 3

if run status_json 0 "$CAMP" status --db "$db" --format json --now "$NOW"; then
  jq_check status_json 'length == 3 and .[1].state == "waiting" and .[1].next_due == "2026-04-12 09:00:03"
    and .[1].steps_done == 11 and .[1].steps_total == 14 and .[0].next_due == null and .[2].seed == null'
fi
if run status_run2_json 0 "$CAMP" status --db "$db" 2 --format json; then
  jq_check status_run2_json '.run.id == 2 and (.steps | length) == 14 and ([.steps[].idx] == [range(14)])
    and .steps[3].counts == {"both": 10, "nordic_only": 30} and .steps[7].due_at == "2026-04-12 09:00:03"
    and .steps[11].message == "cannot write `out/both.csv`: No such file or directory"
    and .outbox == [{"step": "top_mail", "channel": "email", "statuses": {"bounced": 1, "queued": 1, "sent": 1}, "total": 3},
                    {"step": "_push_low", "channel": "push", "statuses": {"queued": 2}, "total": 2}]
    and (.warnings | length) == 2 and .warnings[0].count == 2'
fi

run status_norun 1 "$CAMP" status --db "$db" 99 && err_has status_norun "no run 99"
run status_badid 2 "$CAMP" status --db "$db" two && err_has status_badid "RUN_ID"
run status_badfmt 2 "$CAMP" status --db "$db" --format csv && err_has status_badfmt "unknown format"
run status_nodb 2 "$CAMP" status && err_has status_nodb "usage"

sqlite3 "$tmp/plain.db" 'CREATE TABLE people(id INTEGER PRIMARY KEY)'
if run status_plain 0 "$CAMP" status --db "$tmp/plain.db"; then
  if [ "$(cat "$tmp/status_plain.out")" = "no camp runs in DB" ]; then t_pass; else t_fail "status_plain: got $(head -c 200 "$tmp/status_plain.out")"; fi
fi
run status_plain_json 0 "$CAMP" status --db "$tmp/plain.db" --format json && jq_check status_plain_json '. == []'
run status_missing 1 "$CAMP" status --db "$tmp/nope.db" && err_has status_missing "nope.db"
[ -e "$tmp/nope.db" ] && t_fail "status_missing: created $tmp/nope.db" || t_pass
printf 'this is not a database, just text\n%.0s' 1 2 3 4 5 6 7 8 > "$tmp/text.db"
run status_notdb 1 "$CAMP" status --db "$tmp/text.db" && err_has status_notdb "camp status:"

# ------------------------------------------------------------ outbox
golden outbox_all.txt 0 "$CAMP" outbox --db "$db"
golden outbox_run2.csv 0 "$CAMP" outbox --db "$db" --run 2 --format csv
golden outbox_step.txt 0 "$CAMP" outbox --db "$db" --step _push_low
if run outbox_json 0 "$CAMP" outbox --db "$db" --format json; then
  jq_check outbox_json '([.[].id] == [1, 2, 3, 4, 5, 6]) and .[1].body == "Line one\nline two, with \"quotes\""
    and .[1].subject == "Hi \"Bo\"" and .[3].subject == null and .[0].recipient_key == 101
    and (.[0] | keys_unsorted) == ["id", "run", "step", "recipient_key", "channel", "address", "subject", "body", "status", "queued_at"]'
fi
run outbox_run1 0 "$CAMP" outbox --db "$db" --run 1 --format json && jq_check outbox_run1 'length == 1 and .[0].run == 1'
run outbox_none 0 "$CAMP" outbox --db "$db" --run 3 --format json && jq_check outbox_none '. == []'
# Keys as the schema types them (camp_delivery.key_type, store version 6):
# an outbox whose keys are stored as text (PostgreSQL's column is text)
# still shows int keys as numbers, text keys as strings; a store of
# version 5 (camp_delivery without key_type) is read as it is (outbox is
# read-only: no migration), as is the fixture without camp_delivery.
for kt in int text old; do
  cp "$db" "$tmp/kt_$kt.db"
  if [ $kt = old ]; then
    sqlite3 "$tmp/kt_$kt.db" "CREATE TABLE camp_delivery(run_id, step, channel, provider, config, columns, PRIMARY KEY(run_id, step))"
  else
    sqlite3 "$tmp/kt_$kt.db" "CREATE TABLE camp_delivery(run_id, step, channel, provider, config, columns, key_type,
        PRIMARY KEY(run_id, step));
      UPDATE camp_outbox SET recipient_key = CAST(recipient_key AS TEXT);
      INSERT INTO camp_delivery SELECT DISTINCT run_id, step, channel, NULL, NULL, NULL, '$kt' FROM camp_outbox"
  fi
  run outbox_kt_$kt 0 "$CAMP" outbox --db "$tmp/kt_$kt.db" --format json
done
jq_check outbox_kt_int '[.[].recipient_key | type] | unique == ["number"]'
jq_check outbox_kt_text '[.[].recipient_key | type] | unique == ["string"]'
if cmp -s "$tmp/outbox_kt_int.out" "$tmp/outbox_json.out" && cmp -s "$tmp/outbox_kt_old.out" "$tmp/outbox_json.out"; then
  t_pass
else
  t_fail "outbox json: keys stored as text with key_type int, or a version 5 store, differ from the fixture's"
fi
# CSV: every record ends in CRLF; the one body with a newline stays quoted.
if [ "$(grep -c "$(printf '\r')\$" "$tmp/outbox_run2.csv.out")" = 6 ]; then t_pass; else t_fail "outbox csv: want 6 CRLF-ended records"; fi
if run outbox_file 0 "$CAMP" outbox --db "$db" --format csv --output "$tmp/out.csv" &&
   cmp -s "$tmp/out.csv" "$(cd "$tmp" && "$CAMP" outbox --db "$db" --format csv > all.csv && echo "$tmp/all.csv")" &&
   [ ! -s "$tmp/outbox_file.out" ]; then
  t_pass
else
  t_fail "outbox --output: file differs from stdout output"
fi
run outbox_badfmt 2 "$CAMP" outbox --db "$db" --format xml && err_has outbox_badfmt "unknown format"
run outbox_badrun 2 "$CAMP" outbox --db "$db" --run x && err_has outbox_badrun "--run"
run outbox_plain 0 "$CAMP" outbox --db "$tmp/plain.db" --format json && jq_check outbox_plain '. == []'
run outbox_missing 1 "$CAMP" outbox --db "$tmp/nope.db"

# ------------------------------------------------------------ graph
golden promo.dot 0 "$CAMP" graph tests/report/promo.camp
golden promo_run2.dot 0 "$CAMP" graph tests/report/promo.camp --db "$db"
golden promo_run1.dot 0 "$CAMP" graph tests/report/promo.camp --db "$db" --run 1 --campaign promo
for g in promo.dot promo_run2.dot promo_run1.dot; do
  if dot -Tsvg "$tmp/$g.out" > "$tmp/$g.svg" 2> "$tmp/$g.doterr" && grep -q '<svg' "$tmp/$g.svg"; then
    t_pass
  else
    t_fail "$g: dot -Tsvg failed: $(head -n 2 "$tmp/$g.doterr")"
  fi
done
# Deterministic: the same bytes every time.
"$CAMP" graph tests/report/promo.camp --db "$db" > "$tmp/again.dot" 2>&1
cmp -s "$tmp/again.dot" "$tmp/promo_run2.dot.out" && t_pass || t_fail "graph: output differs between two runs"
# Labels are escaped: the title's quotes and backslash, the sms text's backslash.
grep -qF 'label="promo: Promo \"Q2\" \\ test\nrun 2 (waiting)";' "$tmp/promo_run2.dot.out" && t_pass ||
  t_fail "graph: title not escaped as expected"

if run graph_svg 0 "$CAMP" graph tests/report/promo.camp --format svg --output "$tmp/g.svg" &&
   grep -q '<svg' "$tmp/g.svg" && grep -q 'promo: Promo' "$tmp/g.svg"; then
  t_pass
else
  t_fail "graph --format svg --output: no SVG written"
fi
run graph_svg_stdout 0 "$CAMP" graph tests/report/promo.camp --format svg &&
  { grep -q '</svg>' "$tmp/graph_svg_stdout.out" && t_pass || t_fail "graph --format svg: no SVG on stdout"; }
# Without Graphviz: a clear error, not a crash.
mkdir -p "$tmp/emptybin"
run graph_nodot 1 env PATH="$tmp/emptybin" "$CAMP" graph tests/report/promo.camp --format svg && err_has graph_nodot "graphviz"
run graph_otherrun 1 "$CAMP" graph tests/report/promo.camp --db "$db" --run 3 && err_has graph_otherrun "campaign \`other\`"
run graph_norun 1 "$CAMP" graph tests/report/promo.camp --db "$db" --run 9 && err_has graph_norun "no run 9"
run graph_plain 1 "$CAMP" graph tests/report/promo.camp --db "$tmp/plain.db" && err_has graph_plain "no camp runs"
run graph_badfmt 2 "$CAMP" graph tests/report/promo.camp --format gif && err_has graph_badfmt "unknown format"
run graph_nocamp 1 "$CAMP" graph tests/report/promo.camp --campaign nope
printf 'campaign broken {\n  a = nothing where x > 1\n}\n' > "$tmp/broken.camp"
run graph_errors 1 "$CAMP" graph "$tmp/broken.camp" && err_has graph_errors "error"
# Every example campaign that checks clean renders too.
for f in $(find examples -name '*.camp' 2> /dev/null | sort); do
  [ "$(grep -c '^campaign' "$f")" = 1 ] || continue
  "$CAMP" check "$f" > /dev/null 2>&1 || continue
  if "$CAMP" graph "$f" > "$tmp/ex.dot" 2> "$tmp/ex.err" && dot -Tsvg "$tmp/ex.dot" > /dev/null 2>&1; then
    t_pass
  else
    t_fail "graph $f: $(head -n 2 "$tmp/ex.err")"
  fi
done

t_summary report
[ "$T_FAIL" -eq 0 ]
