# tests/servers/lib.sh — start camp's test servers on loopback and stop them
# again, also when a test fails.  POSIX sh; source it:
#
#   . tests/servers/lib.sh
#   srv_init "$TMP"                       # state directory; installs the trap
#   srv_smtp sink --log "$TMP/sink.jsonl" # starts smtp_sink.py as "sink";
#                                         # sets SRV_PORT (and sink's port file)
#   srv_http gw --log "$TMP/gw.jsonl" --rule 429:2:1
#   srv_port sink                         # prints the port of a started server
#   srv_stop sink                         # stops one (SIGTERM, then SIGKILL)
#   srv_stop_all                          # stops every one (the trap does this)
#
# Each server binds port 0 (a free port chosen by the kernel) and writes the
# port to a file; srv_* waits until the file exists and the server answers
# (SMTP banner 220 / HTTP GET /_health 200), at most SRV_WAIT seconds
# (default 20).  The servers need the Debian python (/usr/bin/python3,
# which has python3-aiosmtpd); SRV_PYTHON overrides it.
#
# srv_init installs `trap 'srv_stop_all; <SRV_ON_EXIT>' EXIT` and exits on
# INT/TERM; a caller with its own clean-up puts it in SRV_ON_EXIT.

SRV_DIR_=""
SRV_PYTHON=${SRV_PYTHON:-/usr/bin/python3}
SRV_WAIT=${SRV_WAIT:-20}
SRV_LIB_DIR_=$(cd "$(dirname "${SRV_LIB:-tests/servers/lib.sh}")" 2>/dev/null && pwd)
[ -f "$SRV_LIB_DIR_/smtp_sink.py" ] || SRV_LIB_DIR_=$(pwd)/tests/servers

# srv_init DIR — where pid and port files live.
srv_init() {
  SRV_DIR_=$1/servers
  mkdir -p "$SRV_DIR_"
  trap 'srv_stop_all; eval "${SRV_ON_EXIT:-:}"' EXIT
  trap 'exit 130' INT TERM
}

# srv_probe_ KIND PORT — 0 when the server answers.
srv_probe_() {
  "$SRV_PYTHON" - "$1" "$2" <<'EOF' 2>/dev/null
import socket, sys
kind, port = sys.argv[1], int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port), timeout=2)
if kind == "smtp":
    ok = s.recv(512).startswith(b"220")
    s.sendall(b"QUIT\r\n")
else:
    s.sendall(b"GET /_health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    ok = s.recv(512).startswith(b"HTTP/1.1 200")
sys.exit(0 if ok else 1)
EOF
}

# srv_start_ KIND NAME SCRIPT ARGS... — starts, waits, sets SRV_PORT.
srv_start_() {
  kind_=$1 name_=$2 script_=$3
  shift 3
  [ -n "$SRV_DIR_" ] || { echo "srv: call srv_init first" >&2; return 1; }
  rm -f "$SRV_DIR_/$name_.port"
  "$SRV_PYTHON" "$SRV_LIB_DIR_/$script_" --port-file "$SRV_DIR_/$name_.port" "$@" \
    > "$SRV_DIR_/$name_.out" 2>&1 &
  echo $! > "$SRV_DIR_/$name_.pid"
  i_=0
  while [ $i_ -lt $((SRV_WAIT * 10)) ]; do
    if [ -s "$SRV_DIR_/$name_.port" ]; then
      SRV_PORT=$(cat "$SRV_DIR_/$name_.port")
      srv_probe_ "$kind_" "$SRV_PORT" && return 0
    fi
    if ! kill -0 "$(cat "$SRV_DIR_/$name_.pid")" 2>/dev/null; then
      echo "srv: $name_ ($script_) exited:" >&2
      sed 's/^/    /' "$SRV_DIR_/$name_.out" >&2
      return 1
    fi
    sleep 0.1
    i_=$((i_ + 1))
  done
  echo "srv: $name_ did not answer within ${SRV_WAIT}s" >&2
  srv_stop "$name_"
  return 1
}

srv_smtp() { n_=$1; shift; srv_start_ smtp "$n_" smtp_sink.py "$@"; }
srv_http() { n_=$1; shift; srv_start_ http "$n_" http_provider.py "$@"; }

srv_port() { cat "$SRV_DIR_/$1.port"; }

# srv_stop NAME — SIGTERM, wait up to 5 s, then SIGKILL.
srv_stop() {
  [ -f "$SRV_DIR_/$1.pid" ] || return 0
  pid_=$(cat "$SRV_DIR_/$1.pid")
  rm -f "$SRV_DIR_/$1.pid"
  kill "$pid_" 2>/dev/null || return 0
  i_=0
  while kill -0 "$pid_" 2>/dev/null && [ $i_ -lt 50 ]; do
    sleep 0.1
    i_=$((i_ + 1))
  done
  kill -9 "$pid_" 2>/dev/null || :
  wait "$pid_" 2>/dev/null || :
  return 0
}

srv_stop_all() {
  [ -n "$SRV_DIR_" ] && [ -d "$SRV_DIR_" ] || return 0
  for f_ in "$SRV_DIR_"/*.pid; do
    [ -f "$f_" ] || continue
    b_=${f_##*/}
    srv_stop "${b_%.pid}"
  done
}
