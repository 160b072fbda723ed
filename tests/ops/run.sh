#!/bin/sh
# tests/ops/run.sh CAMP — operating campaigns (docs/operations.md): deploy
# and versions, the lifecycle and its audit, schedules (DST, monthly "2nd
# Tuesday"), camp tick (launches, priority of the running launch, pause,
# close, start/end dates, concurrent ticks), re-messaging policies, test
# runs and approvals.  POSIX sh + sqlite3 + python3 (zoneinfo).  Last line:
# `ops: N passed, N failed`; exit 1 if anything failed.
#
# The clock is always --now: nothing sleeps.  Expected launch times are
# computed by python3's zoneinfo from the IANA database, independently of
# camp (which expands rules with libical and converts with the C library).
# Fixture: tests/runtime/fixture.sql and schema.camp (8 customers; SE with
# e-mail: 1, 2, 7, 8; DK: 3, 6).  OPS_ONLY="3 5" runs only those sections.

if [ $# -ne 1 ]; then
  echo "usage: sh tests/ops/run.sh CAMP_BINARY" >&2
  exit 2
fi
case $1 in
  /*) CAMP=$1 ;;
  *) CAMP=$(pwd)/$1 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
RT=$HERE/../runtime
. "$HERE/../lib.sh"
for tool in sqlite3 python3; do
  command -v "$tool" > /dev/null || { echo "ops: $tool is not installed" >&2; exit 2; }
done

base=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
TMP=$(mktemp -d "${TMPDIR:-$base}/camp-ops.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
export NO_COLOR=1
unset CAMP_TEST_KILL TZ

camp() { timeout -k 5 "${T_TIMEOUT:-60}" "$CAMP" "$@"; }
q() { sqlite3 -batch "$1" "$2"; }
want() { [ -z "${OPS_ONLY:-}" ] && return 0; case " $OPS_ONLY " in *" $1 "*) return 0 ;; esac; return 1; }
same() { if cmp -s "$2" "$3"; then t_pass; else t_fail "$1"; t_diff "$2" "$3"; fi; }
has() {
  if grep -qF -e "$3" "$2"; then t_pass; else
    t_fail "$1: no \`$3\` in:"
    sed -n '1,12s/^/    /p' "$2"
  fi
}
# rc NAME WANT CMD...: the command's exit status.
rc() { n_=$1 w_=$2; shift 2; "$@" > "$TMP/rc.out" 2>&1; r_=$?; eq "$n_ (exit)" "$w_" "$r_"; }

# ws NAME: a fresh workspace with the fixture database and schema.
ws() {
  d=$TMP/$1
  rm -rf "$d"
  mkdir -p "$d"
  cp "$RT/schema.camp" "$d/"
  sqlite3 -batch "$d/db.sqlite" < "$RT/fixture.sql"
  echo "$d"
}

# ticks DB START MINUTES COUNT: COUNT ticks, MINUTES apart, from START.
ticks() {
  db_=$1
  python3 - "$2" "$3" "$4" << 'EOF' > "$TMP/ticks.list"
import sys, datetime
t = datetime.datetime.fromisoformat(sys.argv[1])
for i in range(int(sys.argv[3])):
    print((t + datetime.timedelta(minutes=i * int(sys.argv[2]))).strftime("%Y-%m-%d %H:%M"))
EOF
  while IFS= read -r t_; do camp tick --db "$db_" --now "$t_" >> "$TMP/ticks.out" 2>&1 || echo "tick $t_ failed" >> "$TMP/ticks.err"; done < "$TMP/ticks.list"
}

# launches DB CAMPAIGN [STATE]: launch times, one per line.
launches() { q "$1" "SELECT launch_at FROM camp_launches WHERE campaign = '$2' AND state = '${3:-started}' ORDER BY launch_at"; }

T0=$(date +%s)

# ---- 1. schedules: preview and compile-time checks --------------------------
section_schedule() {
  d=$(ws sched)
  cat > "$d/s.camp" << 'EOF'
import "schema"
campaign digest {
  schedule {
    daily at 08:00, 02:30
    timezone "Europe/Stockholm"
  }
  se = customers where country = "SE"
  email se { subject "Hi {{first_name}}" body "news" }
}
campaign patch {
  schedule {
    monthly on 2nd tuesday at 10:00
    timezone "America/New_York"
  }
  se = customers where country = "SE"
  sms se "patch day"
}
campaign often {
  schedule {
    every 90m
    timezone "Europe/Stockholm"
    from 2026-03-28 22:00
    until 2026-03-29 06:00
  }
  se = customers where country = "SE"
  sms se "x"
}
EOF
  # daily: both DST changes of 2026, 02:30 falls in the spring gap
  for start in "2026-03-20" "2026-10-18"; do
    camp schedule "$d/s.camp" --campaign digest --now "$start" --next 28 --format json |
      python3 -c 'import sys, json; [print(x["utc"]) for x in json.load(sys.stdin)]' > "$TMP/got"
    python3 - "$start" << 'EOF' > "$TMP/want"
import sys, datetime
from zoneinfo import ZoneInfo
z, utc = ZoneInfo("Europe/Stockholm"), datetime.timezone.utc
start = datetime.datetime.fromisoformat(sys.argv[1]).replace(tzinfo=utc)
out = []
for i in range(-1, 20):
    day = start.date() + datetime.timedelta(days=i)
    for h, m in ((2, 30), (8, 0)):
        t = datetime.datetime(day.year, day.month, day.day, h, m, tzinfo=z).astimezone(utc)
        if t >= start: out.append(t)
for t in sorted(out)[:28]: print(t.strftime("%Y-%m-%d %H:%M:%S"))
EOF
    same "schedule: daily 08:00 and 02:30 Europe/Stockholm from $start (DST)" "$TMP/want" "$TMP/got"
  done
  # monthly on the 2nd Tuesday, a year
  camp schedule "$d/s.camp" --campaign patch --now 2026-01-01 --next 12 --format json |
    python3 -c 'import sys, json; [print(x["utc"]) for x in json.load(sys.stdin)]' > "$TMP/got"
  python3 - << 'EOF' > "$TMP/want"
import datetime
from zoneinfo import ZoneInfo
z, utc = ZoneInfo("America/New_York"), datetime.timezone.utc
for m in range(1, 13):
    d = datetime.date(2026, m, 1)
    d += datetime.timedelta(days=(1 - d.weekday()) % 7 + 7)   # 2nd Tuesday
    print(datetime.datetime(d.year, d.month, d.day, 10, 0, tzinfo=z).astimezone(utc).strftime("%Y-%m-%d %H:%M:%S"))
EOF
  same "schedule: monthly on 2nd tuesday 10:00 America/New_York, 2026" "$TMP/want" "$TMP/got"
  # every 90 minutes stays 90 minutes across the spring change
  camp schedule "$d/s.camp" --campaign often --now 2026-01-01 --format json |
    python3 -c 'import sys, json; [print(x["utc"]) for x in json.load(sys.stdin)]' > "$TMP/got"
  printf '%s\n' "2026-03-28 21:00:00" "2026-03-28 22:30:00" "2026-03-29 00:00:00" "2026-03-29 01:30:00" \
    "2026-03-29 03:00:00" > "$TMP/want"
  same "schedule: every 90m across the DST change, within from/until" "$TMP/want" "$TMP/got"
  camp schedule "$d/s.camp" --campaign digest --now "2026-03-29" --next 2 > "$TMP/out"
  has "schedule: text preview shows local time and UTC" "$TMP/out" "Sun 2026-03-29 03:30:00 Europe/Stockholm  (2026-03-29 01:30:00 UTC)"
  rc "schedule: --next must be a number" 2 camp schedule "$d/s.camp" --campaign digest --next x
}

# ---- 2. daily launches over 40 days with DST, and the catch-up -------------
section_daily() {
  d=$(ws daily)
  cat > "$d/daily.camp" << 'EOF'
import "schema"
campaign digest {
  schedule {
    daily at 08:00, 02:30
    timezone "Europe/Stockholm"
  }
  se = customers where country = "SE"
  email se { subject "Hi {{first_name}}" body "news for {{first_name}}" }
}
EOF
  db=$d/db.sqlite
  camp deploy "$d/daily.camp" --db "$db" --now "2026-03-10 00:00" --as ops > /dev/null
  camp start digest --db "$db" --now "2026-03-10 00:00" --as ops > /dev/null
  : > "$TMP/ticks.err"
  # ticks at 03:00, 11:00 and 19:00 UTC: each launch at a tick after it
  ticks "$db" "2026-03-10 03:00" 480 120
  eq "daily: every tick ran" "" "$(cat "$TMP/ticks.err")"
  launches "$db" digest > "$TMP/got"
  python3 - << 'EOF' > "$TMP/want"
import datetime
from zoneinfo import ZoneInfo
z, utc = ZoneInfo("Europe/Stockholm"), datetime.timezone.utc
lo = datetime.datetime(2026, 3, 10, tzinfo=utc)
hi = datetime.datetime(2026, 4, 18, 19, 0, tzinfo=utc)   # the last tick
out = []
for i in range(-1, 41):
    day = datetime.date(2026, 3, 10) + datetime.timedelta(days=i)
    for h, m in ((2, 30), (8, 0)):
        t = datetime.datetime(day.year, day.month, day.day, h, m, tzinfo=z).astimezone(utc)
        if lo <= t <= hi: out.append(t)
for t in sorted(out): print(t.strftime("%Y-%m-%d %H:%M:%S"))
EOF
  same "daily: 40 days across the March DST change launch exactly at 08:00 and 02:30 local" "$TMP/want" "$TMP/got"
  eq "daily: nothing skipped or missed" "0" "$(q "$db" "SELECT count(*) FROM camp_launches WHERE state <> 'started'")"
  n=$(wc -l < "$TMP/want" | tr -d ' ')
  # remessage daily (the default): the second launch of a local day finds
  # the 4 SE customers already messaged that day
  eq "daily: one run per launch; 4 SE e-mails per local day" "$n $n $((n / 2 * 4))" \
    "$(q "$db" "SELECT count(*), (SELECT count(*) FROM camp_runs), (SELECT count(*) FROM camp_outbox) FROM camp_launches" | tr '|' ' ')"
  eq "daily: a launch runs with its scheduled time as clock" "0" \
    "$(q "$db" "SELECT count(*) FROM camp_launches l JOIN camp_runs r ON r.id = l.run_id WHERE r.started_at <> l.launch_at")"
  eq "daily: the launch key is the local day" "day 2026-03-29|2" \
    "$(q "$db" "SELECT launch_key, count(*) FROM camp_launches WHERE launch_key = 'day 2026-03-29'")"
  eq "daily: scheduled -> live at the first launch" "live" "$(q "$db" "SELECT state FROM camp_campaigns")"
  # October: ten days around the change, ticked twice a day
  d=$(ws daily_oct)
  cp "$TMP/daily/daily.camp" "$d/"
  db=$d/db.sqlite
  camp deploy "$d/daily.camp" --db "$db" --now "2026-10-20 00:00" > /dev/null
  camp start digest --db "$db" --now "2026-10-20 00:00" > /dev/null
  ticks "$db" "2026-10-20 03:00" 480 30
  launches "$db" digest > "$TMP/got"
  python3 - << 'EOF' > "$TMP/want"
import datetime
from zoneinfo import ZoneInfo
z, utc = ZoneInfo("Europe/Stockholm"), datetime.timezone.utc
for i in range(10):
    day = datetime.date(2026, 10, 20) + datetime.timedelta(days=i)
    for h, m in ((2, 30), (8, 0)):
        print(datetime.datetime(day.year, day.month, day.day, h, m, tzinfo=z).astimezone(utc).strftime("%Y-%m-%d %H:%M:%S"))
EOF
  same "daily: October DST change (08:00 local is 06:00 then 07:00 UTC)" "$TMP/want" "$TMP/got"
  # a tick after three silent days launches the latest due time only
  d=$(ws catchup)
  cp "$TMP/daily/daily.camp" "$d/"
  db=$d/db.sqlite
  camp deploy "$d/daily.camp" --db "$db" --now "2026-05-01 00:00" > /dev/null
  camp start digest --db "$db" --now "2026-05-01 00:00" > /dev/null
  camp tick --db "$db" --now "2026-05-04 12:00" > "$TMP/out"
  eq "catch-up: the latest due launch starts" "2026-05-04 06:00:00" "$(launches "$db" digest)"
  eq "catch-up: the 7 earlier ones are recorded as missed" "7" "$(launches "$db" digest missed | wc -l | tr -d ' ')"
}

# ---- 3. monthly "2nd Tuesday" launches over a year -------------------------
section_monthly() {
  d=$(ws monthly)
  cat > "$d/m.camp" << 'EOF'
import "schema"
campaign patch {
  schedule {
    monthly on 2nd tuesday at 10:00
    timezone "America/New_York"
  }
  se = customers where country = "SE"
  sms se "patch day"
}
EOF
  db=$d/db.sqlite
  camp deploy "$d/m.camp" --db "$db" --now "2026-01-01 00:00" > /dev/null
  camp start patch --db "$db" --now "2026-01-01 00:00" > /dev/null
  # ticks every Tuesday and Friday at 16:00 UTC for a year
  python3 - << 'EOF' > "$TMP/ticks.list"
import datetime
d = datetime.date(2026, 1, 1)
while d.year == 2026:
    if d.weekday() in (1, 4): print(f"{d} 16:00")
    d += datetime.timedelta(days=1)
EOF
  while IFS= read -r t_; do camp tick --db "$db" --now "$t_" > /dev/null 2>&1; done < "$TMP/ticks.list"
  launches "$db" patch > "$TMP/got"
  python3 - << 'EOF' > "$TMP/want"
import datetime
from zoneinfo import ZoneInfo
z, utc = ZoneInfo("America/New_York"), datetime.timezone.utc
for m in range(1, 13):
    d = datetime.date(2026, m, 1)
    d += datetime.timedelta(days=(1 - d.weekday()) % 7 + 7)
    print(datetime.datetime(d.year, d.month, d.day, 10, 0, tzinfo=z).astimezone(utc).strftime("%Y-%m-%d %H:%M:%S"))
EOF
  same "monthly: a year of 2nd Tuesdays at 10:00 New York (EST and EDT)" "$TMP/want" "$TMP/got"
  eq "monthly: no missed or skipped launch" "0" "$(q "$db" "SELECT count(*) FROM camp_launches WHERE state <> 'started'")"
}

# ---- 4. lifecycle: transitions, audit, pause, close, stop, dates -----------
section_lifecycle() {
  d=$(ws life)
  db=$d/db.sqlite
  cat > "$d/w.camp" << 'EOF'
import "schema"
campaign nurture {
  schedule daily at 09:00
  se = customers where country = "SE"
  later = wait se 2d
  sms later "still there?"
}
EOF
  rc "lifecycle: start before deploy is refused" 1 camp start nurture --db "$db"
  has "lifecycle: ... and says so" "$TMP/rc.out" "is not deployed"
  camp deploy "$d/w.camp" --db "$db" --now "2026-04-01 00:00" --as alice --reason "first cut" > /dev/null
  rc "lifecycle: pause a draft is refused" 1 camp pause nurture --db "$db" --as bob
  has "lifecycle: ... with the allowed states" "$TMP/rc.out" "nurture is draft; pause works on scheduled or live campaigns"
  rc "lifecycle: start a draft" 0 camp start nurture --db "$db" --now "2026-04-01 00:00" --as alice --reason "approved by legal"
  eq "lifecycle: draft -> scheduled" "scheduled" "$(q "$db" "SELECT state FROM camp_campaigns")"
  camp tick --db "$db" --now "2026-04-01 09:00" > "$TMP/out"
  eq "lifecycle: first launch waits 2 days" "waiting" "$(q "$db" "SELECT state FROM camp_runs WHERE id = 1")"
  camp tick --db "$db" --now "2026-04-02 09:00" > "$TMP/out"
  has "priority: the next launch is skipped while the previous waits" "$TMP/out" "launch 2026-04-02 09:00:00 skipped (previous launch still in progress: run 1 is waiting)"
  eq "priority: recorded as skipped with the reason" "skipped|previous launch still in progress: run 1 is waiting" \
    "$(q "$db" "SELECT state, reason FROM camp_launches WHERE launch_at = '2026-04-02 09:00:00'")"
  eq "priority: no second run" "1" "$(q "$db" "SELECT count(*) FROM camp_runs")"
  rc "lifecycle: pause" 0 camp pause nurture --db "$db" --now "2026-04-02 10:00" --as bob --reason "holiday"
  ticks "$db" "2026-04-03 09:00" 720 6
  eq "pause: nothing launches while paused" "2" "$(q "$db" "SELECT count(*) FROM camp_launches")"
  eq "pause: the waiting run is not resumed either" "waiting" "$(q "$db" "SELECT state FROM camp_runs WHERE id = 1")"
  (cd "$d" && camp resume --db db.sqlite --now "2026-04-05 22:00") > "$TMP/out" 2>&1
  has "pause: camp resume leaves it too" "$TMP/out" "campaign nurture is paused; not resumed"
  camp campaigns --db "$db" --now "2026-04-05 22:00" > "$TMP/out"
  has "campaigns: a paused campaign says why nothing launches" "$TMP/out" "none: paused"
  rc "lifecycle: start again after pause" 0 camp start nurture --db "$db" --now "2026-04-05 22:00" --as bob
  eq "lifecycle: paused -> live (it launched before)" "live" "$(q "$db" "SELECT state FROM camp_campaigns")"
  camp tick --db "$db" --now "2026-04-06 09:00" > "$TMP/out"
  eq "pause: after start, the due wait goes on" "done" "$(q "$db" "SELECT state FROM camp_runs WHERE id = 1")"
  eq "pause: launches due while paused are not made up" "2026-04-01 09:00:00 2026-04-06 09:00:00" \
    "$(launches "$db" nurture | tr '\n' ' ' | sed 's/ $//')"
  rc "close" 0 camp close nurture --db "$db" --now "2026-04-06 10:00" --as carol --reason "season over"
  ticks "$db" "2026-04-07 09:00" 60 1
  eq "close: no new launch" "2" "$(launches "$db" nurture | wc -l | tr -d ' ')"
  eq "close: the running launch is still waiting" "waiting|closed" \
    "$(q "$db" "SELECT r.state, c.state FROM camp_runs r, camp_campaigns c WHERE r.id = 2")"
  camp tick --db "$db" --now "2026-04-08 09:30" > "$TMP/out"
  eq "close: the running launch finishes, then the campaign completes" "done|completed" \
    "$(q "$db" "SELECT r.state, c.state FROM camp_runs r, camp_campaigns c WHERE r.id = 2")"
  eq "close: its messages were made (the 2 SE customers with a phone)" "2" "$(q "$db" "SELECT count(*) FROM camp_outbox WHERE run_id = 2")"
  rc "archive a completed campaign" 0 camp archive nurture --db "$db" --now "2026-04-09 00:00" --as carol
  rc "deploy over an archived campaign is refused" 1 camp deploy "$d/w.camp" --db "$db"
  rc "archived cannot start" 1 camp start nurture --db "$db"
  q "$db" "SELECT who || ',' || action || ',' || coalesce(from_state, '-') || ',' || coalesce(to_state, '-') || ',' || coalesce(reason, '')
           FROM camp_audit WHERE run_id IS NULL ORDER BY id" > "$TMP/got"
  cat > "$TMP/want" << 'EOF'
alice,deploy,-,draft,version 1: first cut
alice,start,draft,scheduled,approved by legal
camp tick,first launch,scheduled,live,
bob,pause,live,paused,holiday
bob,start,paused,live,
carol,close,live,closed,season over
camp tick,complete,closed,completed,closed and its runs finished
carol,archive,completed,archived,
EOF
  same "audit: every change with who and why" "$TMP/want" "$TMP/got"
  camp status --db "$db" > "$TMP/out"
  has "status shows the audit" "$TMP/out" "carol      nurture: close (live -> closed): season over"

  # stop: runs end, queued messages are cancelled
  d=$(ws stop)
  db=$d/db.sqlite
  cat > "$d/s.camp" << 'EOF'
import "schema"
campaign blast {
  se = customers where country = "SE"
  sms se "now"
  later = wait se 1d
  email later { subject "later" body "b" }
}
EOF
  camp deploy "$d/s.camp" --db "$db" --now "2026-04-01 00:00" > /dev/null
  camp start blast --db "$db" --now "2026-04-01 08:00" > /dev/null
  camp tick --db "$db" --now "2026-04-01 08:00" > "$TMP/out"
  has "no schedule: launches once when started" "$TMP/out" "blast: launch 2026-04-01 08:00:00 started run 1"
  rc "stop" 0 camp stop blast --db "$db" --now "2026-04-01 09:00" --as dan --reason "wrong list"
  eq "stop: the run is stopped and its unsent messages cancelled" "stopped|cancelled:2" \
    "$(q "$db" "SELECT state, (SELECT group_concat(status || ':' || n) FROM (SELECT status, count(*) n FROM camp_outbox GROUP BY status)) FROM camp_runs")"
  camp tick --db "$db" --now "2026-04-03 09:00" > "$TMP/out"
  eq "stop: a stopped run is never resumed" "stopped|0" \
    "$(q "$db" "SELECT state, (SELECT count(*) FROM camp_outbox WHERE step = '_email_later') FROM camp_runs")"
  rc "stop: a stopped campaign can be archived" 0 camp archive blast --db "$db"

  # start and end dates
  d=$(ws dates)
  db=$d/db.sqlite
  cat > "$d/d.camp" << 'EOF'
import "schema"
campaign season {
  start_date 2026-06-01
  end_date 2026-06-03
  schedule daily at 12:00
  se = customers where country = "SE"
  sms se "summer"
}
EOF
  camp deploy "$d/d.camp" --db "$db" --now "2026-05-20 00:00" > /dev/null
  camp start season --db "$db" --now "2026-05-20 00:00" > /dev/null
  camp campaigns --db "$db" --now "2026-05-25 00:00" > "$TMP/out"
  has "dates: status says it waits for its start date" "$TMP/out" "2026-06-01 12:00:00 (waiting for its start date 2026-06-01 00:00:00 UTC)"
  ticks "$db" "2026-05-25 13:00" 1440 12
  eq "dates: launches only between the start and end dates" "2026-06-01 12:00:00 2026-06-02 12:00:00 2026-06-03 12:00:00" \
    "$(launches "$db" season | tr '\n' ' ' | sed 's/ $//')"
  eq "dates: completed after the end date, saying why" "completed|after its end date 2026-06-03 23:59:59 UTC" \
    "$(q "$db" "SELECT c.state, a.reason FROM camp_campaigns c, camp_audit a WHERE a.action = 'complete'")"
}

# ---- 5. deploy: versions and the diff of counts ------------------------------
section_deploy() {
  d=$(ws deploy)
  db=$d/db.sqlite
  cat > "$d/c.camp" << 'EOF'
import "schema"
campaign promo {
  se = customers where country = "SE"
  rich = se where loyalty >= 1000
  sms rich "hello"
}
EOF
  camp deploy "$d/c.camp" --db "$db" --now "2026-03-01 00:00" > "$TMP/out"
  has "deploy: version 1 is a draft" "$TMP/out" "deployed promo version 1 (draft)"
  has "deploy: the plan's counts" "$TMP/out" "  + se                                  -> 4"
  camp deploy "$d/c.camp" --db "$db" --now "2026-03-01 00:00" > "$TMP/out"
  has "deploy: an unchanged file deploys nothing" "$TMP/out" "version 1 is unchanged"
  cat > "$d/c.camp" << 'EOF'
import "schema"
campaign promo {
  se = customers where country in ["SE", "DK"]
  vip = se where loyalty >= 2000
  sms vip "hello"
}
EOF
  camp deploy "$d/c.camp" --db "$db" --now "2026-03-01 00:00" --reason "add DK" > "$TMP/out"
  has "deploy: a changed file is version 2" "$TMP/out" "deployed promo version 2 (draft)"
  has "deploy: changed count" "$TMP/out" "  ~ se                                4 -> 6 (+2)"
  has "deploy: new step" "$TMP/out" "  + vip                                 -> 2"
  has "deploy: removed step" "$TMP/out" "  - rich                              2 -> (removed)"
  has "deploy: summary" "$TMP/out" "2 added, 1 changed, 2 removed, 0 unchanged"
  eq "deploy: both versions with their sources" "2|1" \
    "$(q "$db" "SELECT count(*), sum(source LIKE '%DK%') FROM camp_versions")"
  cp "$d/c.camp" "$d/c2.camp"
  echo "// changed after deploy" >> "$d/c.camp"
  rc "deploy: start refuses a file changed since deploy" 1 camp start promo --db "$db"
  has "deploy: ... and says why" "$TMP/rc.out" "changed since version 2 was deployed"
  printf 'import "schema"\ncampaign promo {\n  se = customers where colour = 1\n  sms se "x"\n}\n' > "$d/bad.camp"
  rc "deploy: a campaign with errors is not deployed" 1 camp deploy "$d/bad.camp" --db "$db"
  has "deploy: ... its errors are shown" "$TMP/rc.out" "bad.camp:3:24: error: unknown column \`colour\` in customers"
  eq "deploy: ... and nothing recorded" "2" "$(q "$db" "SELECT count(*) FROM camp_versions")"
}

# ---- 6. re-messaging policies across launches --------------------------------
section_remessage() {
  for pol in daily always never; do
    d=$(ws "rm_$pol")
    db=$d/db.sqlite
    cat > "$d/r.camp" << EOF
import "schema"
campaign news {
  schedule {
    daily at 08:00, 17:00
    remessage $pol
  }
  se = customers where country = "SE"
  email se { subject "news" body "b" }
}
EOF
    camp deploy "$d/r.camp" --db "$db" --now "2026-03-01 00:00" > /dev/null
    camp start news --db "$db" --now "2026-03-01 00:00" > /dev/null
    camp tick --db "$db" --now "2026-03-01 08:00" > /dev/null
    q "$db" "INSERT INTO customers VALUES (9, 'g@x.se', NULL, NULL, 'Gus', 'SE', 10, 'bronze', 1)"
    camp tick --db "$db" --now "2026-03-01 17:00" > /dev/null
    camp tick --db "$db" --now "2026-03-02 08:00" > /dev/null
    q "$db" "SELECT group_concat(n, ' ') FROM (SELECT count(o.id) n FROM camp_runs r LEFT JOIN camp_outbox o ON o.run_id = r.id GROUP BY r.id ORDER BY r.id)" > "$TMP/got.$pol"
  done
  eq "remessage daily (default): 17:00 only the new customer; next day everyone" "4 1 5" "$(cat "$TMP/got.daily")"
  eq "remessage always: every launch messages everyone" "4 5 5" "$(cat "$TMP/got.always")"
  eq "remessage never: nobody twice" "4 1 0" "$(cat "$TMP/got.never")"
  eq "remessage: the step's count is what was queued" "1" \
    "$(q "$TMP/rm_daily/db.sqlite" "SELECT count FROM camp_counts WHERE run_id = 2 AND output = '_email_se'")"
}

# ---- 7. concurrent ticks never start a launch twice --------------------------
section_concurrent() {
  d=$(ws conc)
  db=$d/db.sqlite
  cat > "$d/c.camp" << 'EOF'
import "schema"
campaign a {
  schedule { every 15m; remessage always }
  se = customers where country = "SE"
  sms se "a"
}
campaign b {
  schedule { every 30m; remessage always }
  dk = customers where country = "DK"
  email dk { subject "b" body "b" }
}
EOF
  for c in a b; do
    camp deploy "$d/c.camp" --campaign $c --db "$db" --now "2026-03-01 00:00" > /dev/null
    camp start $c --db "$db" --now "2026-03-01 00:00" > /dev/null
  done
  : > "$TMP/conc.err"
  for h in 00 01 02; do
    for m in 00 15 30 45; do
      i=0
      while [ $i -lt 6 ]; do
        (CAMP_BUSY_TIMEOUT_MS=30000 camp tick --db "$db" --now "2026-03-01 $h:$m" > /dev/null 2>> "$TMP/conc.err") &
        i=$((i + 1))
      done
      wait
    done
  done
  eq "concurrent: no tick failed" "" "$(cat "$TMP/conc.err")"
  eq "concurrent: each launch started once (a: 12, b: 6)" "a|12|12 b|6|6" \
    "$(q "$db" "SELECT campaign, count(*), count(DISTINCT run_id) FROM camp_launches WHERE state = 'started' GROUP BY campaign" | tr '\n' ' ' | sed 's/ $//')"
  eq "concurrent: one run per launch, no stray run" "18|18" \
    "$(q "$db" "SELECT count(*), (SELECT count(*) FROM camp_launches WHERE state = 'started') FROM camp_runs")"
  eq "concurrent: the database is intact (snapshot reads never drop SQLite's locks)" "ok" \
    "$(q "$db" "PRAGMA integrity_check")"
  eq "concurrent: every run complete with its messages" "18|0" \
    "$(q "$db" "SELECT count(*), sum(n <> 2) FROM (SELECT r.campaign, count(o.id) n FROM camp_runs r LEFT JOIN camp_outbox o ON o.run_id = r.id WHERE r.state = 'done' GROUP BY r.id)")"
}

# ---- 8. test runs: nothing a later real run depends on ----------------------
section_test_run() {
  d=$(ws testrun)
  db=$d/db.sqlite
  cat > "$d/t.camp" << 'EOF'
import "schema"
campaign promo {
  se = customers where country = "SE"
  email se { subject "Hi {{first_name}}" body "news for {{first_name}}" }
  save se as "promo_se"
}
EOF
  camp run "$d/t.camp" --db "$db" --test --now "2026-03-01 00:00" > "$TMP/out"
  has "test run: counts" "$TMP/out" "  se         select           4"
  has "test run: rendered preview" "$TMP/out" "  to a@x.se: Hi Anna"
  has "test run: preview body" "$TMP/out" "    news for Anna"
  eq "test run: a fresh database gets no camp tables" "0" "$(q "$db" "SELECT count(*) FROM sqlite_master WHERE name LIKE 'camp%'")"
  # on a database with runs and a deployed campaign
  camp deploy "$d/t.camp" --db "$db" --now "2026-03-01 00:00" > /dev/null
  camp run "$d/t.camp" --db "$db" --now "2026-03-01 00:00" > /dev/null
  dump() { q "$db" "SELECT * FROM camp_outbox; SELECT * FROM camp_audience; SELECT * FROM camp_runs; SELECT * FROM camp_counts; SELECT name FROM sqlite_master ORDER BY 1"; }
  dump > "$TMP/before"
  camp run "$d/t.camp" --db "$db" --test --now "2026-03-02 00:00" --as tess --format json > "$TMP/out.json"
  dump > "$TMP/after"
  same "test run: no outbox rows, no saved audience, no run, no table" "$TMP/before" "$TMP/after"
  eq "test run: the JSON has previews" "_email_se 4 Hi Anna" \
    "$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["previews"][0]; print(p["step"], p["messages"], p["samples"][0]["subject"])' "$TMP/out.json")"
  eq "test run: a deployed draft moves to test, audited" "test|tess" \
    "$(q "$db" "SELECT c.state, a.who FROM camp_campaigns c, camp_audit a WHERE a.action = 'test run'")"
}

# ---- 9. approvals: approve, reject, reminders, deadlines --------------------
section_approval() {
  d=$(ws appr)
  db=$d/db.sqlite
  for act in cancel send; do
    cat > "$d/$act.camp" << EOF
import "schema"
campaign promo_$act {
  approval {
    approvers "alice", "bob"
    deadline 1d, $act
    remind 6h
  }
  se = customers where country = "SE"
  email se { subject "Hi {{first_name}}" body "b" }
  dk = customers where country = "DK"
  sms dk "hej"
}
EOF
    camp deploy "$d/$act.camp" --db "$db" --now "2026-03-01 00:00" > /dev/null
    camp start "promo_$act" --db "$db" --now "2026-03-01 00:00" > /dev/null
  done
  camp tick --db "$db" --now "2026-03-01 08:00" > "$TMP/out"
  has "approval: the tick says what waits" "$TMP/out" "step _email_se: 4 messages wait for approval (deadline 2026-03-02 00:00:00)"
  eq "approval: every message is held, none queued" "held|12" "$(q "$db" "SELECT status, count(*) FROM camp_outbox GROUP BY status")"
  eq "approval: one request per approver and step" "8" "$(q "$db" "SELECT count(*) FROM camp_notifications WHERE kind = 'request' AND status = 'pending'")"
  eq "approval: ... of rendered messages" "1" "$(q "$db" "SELECT count(*) FROM camp_notifications WHERE recipient = 'alice' AND step = '_email_se' AND run_id = 1 AND body LIKE '%to a@x.se: Hi Anna%'")"
  rc "approve: not an approver" 1 camp approve 1 --db "$db" --step _email_se --as mallory
  has "approve: ... says who may" "$TMP/rc.out" "mallory is not an approver of run 1 step _email_se (approvers: alice, bob)"
  rc "reject needs a reason" 2 camp reject 1 --db "$db" --step _sms_dk --as bob
  rc "approve one step" 0 camp approve 1 --db "$db" --step _email_se --as alice --now "2026-03-01 09:00"
  rc "reject the other" 0 camp reject 1 --db "$db" --step _sms_dk --as bob --reason "wrong text" --now "2026-03-01 09:05"
  eq "approval: approved -> queued, rejected -> cancelled" "_email_se|queued|4 _sms_dk|cancelled|2" \
    "$(q "$db" "SELECT step, status, count(*) FROM camp_outbox WHERE run_id = 1 GROUP BY 1, 2" | tr '\n' ' ' | sed 's/ $//')"
  rc "approve twice is refused" 1 camp approve 1 --db "$db" --as alice
  # run 2 (deadline: send): nobody decides; hourly ticks through the deadline
  ticks "$db" "2026-03-01 09:30" 60 25
  eq "deadline send: the held messages are queued" "queued|6" "$(q "$db" "SELECT status, count(*) FROM camp_outbox WHERE run_id = 2 GROUP BY 1")"
  eq "deadline send: approvals closed by the deadline" "deadline-sent|deadline|3 deadline-sent|deadline|3" \
    "$(q "$db" "SELECT state, decided_by, reminders FROM camp_approvals WHERE run_id = 2" | tr '\n' ' ' | sed 's/ $//')"
  eq "reminders: every 6h until the deadline, per approver and step" "12" \
    "$(q "$db" "SELECT count(*) FROM camp_notifications WHERE run_id = 2 AND kind = 'reminder'")"
  eq "deadline: the approvers are told" "4" "$(q "$db" "SELECT count(*) FROM camp_notifications WHERE run_id = 2 AND kind = 'deadline'")"
  # a cancel deadline
  cat > "$d/c2.camp" << 'EOF'
import "schema"
campaign late {
  approval { approvers "alice"; deadline 2h, cancel }
  se = customers where country = "SE"
  sms se "x"
}
EOF
  camp deploy "$d/c2.camp" --db "$db" --now "2026-03-05 00:00" > /dev/null
  camp start late --db "$db" --now "2026-03-05 00:00" > /dev/null
  # launched at its start time (00:00): the deadline is 02:00
  camp tick --db "$db" --now "2026-03-05 01:00" > /dev/null
  camp tick --db "$db" --now "2026-03-05 01:59" > /dev/null
  eq "deadline cancel: still held before the deadline" "held" "$(q "$db" "SELECT DISTINCT status FROM camp_outbox WHERE run_id = 3")"
  camp tick --db "$db" --now "2026-03-05 02:00" > "$TMP/out"
  eq "deadline cancel: cancelled at the deadline" "cancelled|2|deadline-cancelled" \
    "$(q "$db" "SELECT o.status, count(*), a.state FROM camp_outbox o, camp_approvals a WHERE o.run_id = 3 AND a.run_id = 3")"
  camp status --db "$db" 1 > "$TMP/out"
  has "status: approvals of the run" "$TMP/out" "_sms_dk: rejected, 2 messages"
  has "status: audit of the run" "$TMP/out" "bob        promo_cancel run 1 step _sms_dk: rejected (held -> cancelled): wrong text"
  eq "approval: closed campaigns complete after the decision" "completed completed completed" \
    "$(q "$db" "SELECT state FROM camp_campaigns ORDER BY name" | tr '\n' ' ' | sed 's/ $//')"
}

# ---- 10. contrib: the systemd service and the cron line run a tick ---------
section_contrib() {
  d=$(ws contrib)
  root=$HERE/../..
  exec_line=$(sed -n 's/^ExecStart=//p' "$root/contrib/camp-tick.service")
  cron_cmd=$(grep -v '^#' "$root/contrib/camp-tick.cron" | awk 'NF >= 6 { $1 = $2 = $3 = $4 = $5 = ""; print }')
  eq "contrib: the timer runs the service" "OnCalendar=*:0/5" "$(grep '^OnCalendar=' "$root/contrib/camp-tick.timer")"
  for cmd in "$exec_line" "$cron_cmd"; do
    c_=$(printf '%s' "$cmd" | sed -e "s|/usr/local/bin/camp|$CAMP|" -e "s|/srv/data/crm.sqlite|$d/db.sqlite|" \
      -e "s|cd /srv/campaigns|cd $d|" -e "s|/var/log/camp-tick.log|$d/tick.log|")
    (eval "$c_") > "$TMP/out" 2>&1
    eq "contrib: \`${cmd%% --db*}\` runs a tick" "0" "$?"
  done
  has "contrib: the cron line logs the tick" "$d/tick.log" "tick at "
}

# ---- 11. a tick sends: approved messages go out through camp send's worker --
# A real SMTP server (tests/servers/smtp_sink.py, loopback, free port) that
# this section starts and stops.  Without the provider's environment the
# tick fails loudly and nothing leaves the outbox.
section_tick_send() {
  d=$(ws ticksend)
  db=$d/db.sqlite
  cat > "$d/t.camp" << 'EOF'
import "schema"
provider mailer { kind smtp url env "OPS_SMTP_URL" from "Shop <news@shop.example>" }
campaign promo_mail {
  approval { approvers "alice <alice@shop.example>", "bob"; deadline 1d, cancel }
  se = customers where country = "SE"
  email se via mailer { subject "Hi {{first_name}}" body "b" }
  dk = customers where country = "DK"
  sms dk "hej"
}
EOF
  camp deploy "$d/t.camp" --db "$db" --now "2026-03-01 00:00" > /dev/null
  camp start promo_mail --db "$db" --now "2026-03-01 00:00" > /dev/null
  . tests/servers/lib.sh
  SRV_ON_EXIT='rm -rf "$TMP"' # srv_init's trap replaces ours: keep its clean-up
  srv_init "$d"
  srv_smtp ops_sink --log "$d/received.jsonl" || { t_fail "tick send: the SMTP sink did not start"; return; }
  port=$SRV_PORT
  OPS_SMTP_URL="smtp://127.0.0.1:$port" camp tick --db "$db" --now "2026-03-01 08:00" > "$TMP/out" 2>&1
  eq "tick send: held messages are not sent" "0" "$(wc -l < "$d/received.jsonl" | tr -d ' ')"
  camp approve 1 --db "$db" --step _email_se --as alice --now "2026-03-01 09:00" > /dev/null
  camp approve 1 --db "$db" --step _sms_dk --as alice --now "2026-03-01 09:00" > /dev/null
  camp tick --db "$db" --now "2026-03-01 09:30" > "$TMP/out" 2>&1
  eq "tick send: without the provider's variable the tick fails" "1" "$?"
  has "tick send: ... naming the variable" "$TMP/out" "OPS_SMTP_URL"
  eq "tick send: ... and nothing left the outbox" "_email_se|queued|4" \
    "$(q "$db" "SELECT step, status, count(*) FROM camp_outbox WHERE channel = 'email' GROUP BY 1, 2")"
  OPS_SMTP_URL="smtp://127.0.0.1:$port" camp tick --db "$db" --now "2026-03-01 10:00" > "$TMP/out" 2>&1
  eq "tick send: the tick succeeds" "0" "$?"
  eq "tick send: the approved e-mails were received" "4" "$(wc -l < "$d/received.jsonl" | tr -d ' ')"
  eq "tick send: ... once each, to the SE customers" \
    "$(q "$db" "SELECT group_concat(a, ' ') FROM (SELECT email a FROM customers WHERE country = 'SE' AND email IS NOT NULL ORDER BY 1)")" \
    "$(/usr/bin/python3 -c 'import json,sys; print(" ".join(sorted(json.loads(l)["rcpt_tos"][0] for l in open(sys.argv[1]))))' "$d/received.jsonl")"
  eq "tick send: the outbox says sent; SMS without a provider stay queued" "email|sent|4 sms|queued|2" \
    "$(q "$db" "SELECT channel, status, count(*) FROM camp_outbox GROUP BY 1, 2" | tr '\n' ' ' | sed 's/ $//')"
  OPS_SMTP_URL="smtp://127.0.0.1:$port" camp tick --db "$db" --now "2026-03-01 11:00" > /dev/null 2>&1
  eq "tick send: a later tick sends nothing again" "4" "$(wc -l < "$d/received.jsonl" | tr -d ' ')"
  # approvers notified by e-mail: `notify mailer`; bob has no address there
  cat > "$d/n.camp" << 'EOF'
import "schema"
provider mailer { kind smtp url env "OPS_SMTP_URL" from "Shop <news@shop.example>" }
campaign promo_notify {
  approval {
    approvers "Alice <alice@shop.example>", "omar <omar@shop.example>"
    notify mailer
    deadline 12h, cancel
    remind 4h
  }
  se = customers where country = "SE"
  email se via mailer { subject "Hi {{first_name}}" body "b" }
}
EOF
  camp deploy "$d/n.camp" --db "$db" --now "2026-03-02 00:00" > /dev/null
  camp start promo_notify --db "$db" --now "2026-03-02 00:00" > /dev/null
  base=$(wc -l < "$d/received.jsonl" | tr -d ' ')
  OPS_SMTP_URL="smtp://127.0.0.1:$port" camp tick --db "$db" --now "2026-03-02 01:00" > "$TMP/out" 2>&1
  has "notify: the tick reports the requests it sent" "$TMP/out" "notifications: 2 sent, 0 refused"
  # the held e-mails are not sent; the two requests are, to the approvers
  eq "notify: requests e-mailed to the approvers" "alice@shop.example|Approval needed: promo_notify omar@shop.example|Approval needed: promo_notify" \
    "$(tail -n +$((base + 1)) "$d/received.jsonl" | /usr/bin/python3 -c 'import json,sys,email
from email import policy
out = []
for l in sys.stdin:
    d = json.loads(l); m = email.message_from_string(d["data"], policy=policy.default)
    out.append(d["rcpt_tos"][0] + "|" + str(m["Subject"]).split(",")[0])
print(" ".join(sorted(out)))')"
  eq "notify: rows sent, with their addresses" "request|Alice|alice@shop.example|sent request|omar|omar@shop.example|sent" \
    "$(q "$db" "SELECT kind, recipient, address, status FROM camp_notifications WHERE step = '_email_se' AND run_id = (SELECT max(id) FROM camp_runs) ORDER BY recipient" | tr '\n' ' ' | sed 's/ $//')"
  OPS_SMTP_URL="smtp://127.0.0.1:$port" camp tick --db "$db" --now "2026-03-02 05:00" > "$TMP/out" 2>&1
  eq "notify: reminders e-mailed 4h later" "2" "$(q "$db" "SELECT count(*) FROM camp_notifications WHERE kind = 'reminder' AND status = 'sent' AND address IS NOT NULL")"
  eq "notify: nothing sent twice" "$((base + 4))" "$(wc -l < "$d/received.jsonl" | tr -d ' ')"
  # earlier campaign (no notify): its notifications stay pending, unsent
  eq "notify: without notify the requests stay recorded" "pending|pending" \
    "$(q "$db" "SELECT status FROM camp_notifications WHERE run_id = 1 AND kind = 'request' AND step = '_email_se' ORDER BY recipient" | tr '\n' '|' | sed 's/|$//')"
  # checked: notify needs an address for every approver, an e-mail provider
  cat > "$d/bad.camp" << 'EOF'
import "schema"
provider gw { kind http url "https://sms.example/send" body "{}" }
campaign bad_notify {
  approval { approvers "lena", "x <not an address>"; notify gw }
  se = customers where country = "SE"
  sms se via gw "x"
}
EOF
  camp check "$d/bad.camp" > /dev/null 2> "$TMP/err"
  cat > "$d/bad2.camp" << 'EOF'
import "schema"
provider mailer { kind smtp url "smtp://127.0.0.1:1" from "news@shop.example" }
campaign bad_notify2 {
  approval { approvers "lena"; notify mailer }
  se = customers where country = "SE"
  email se { subject "s" body "b" }
}
EOF
  camp check "$d/bad2.camp" > /dev/null 2> "$TMP/err2"
  has "notify: every approver needs an address" "$TMP/err2" "bad2.camp:4:32: error: approver \`lena\` has no e-mail address to notify"
  has "notify: an approver address must be an address" "$TMP/err" "bad.camp:4:32: error: an approver is a name, optionally with an e-mail address"
  has "notify: the provider must send e-mail" "$TMP/err" "error: provider \`gw\` cannot send e-mail: approvers are notified by e-mail"
  srv_stop ops_sink
}

want 1 && section_schedule
want 2 && section_daily
want 3 && section_monthly
want 4 && section_lifecycle
want 5 && section_deploy
want 6 && section_remessage
want 7 && section_concurrent
want 8 && section_test_run
want 9 && section_approval
want 10 && section_contrib
want 11 && section_tick_send

echo "ops: $(($(date +%s) - T0)) s"
t_summary ops
[ "$T_FAIL" = 0 ]
