#!/usr/bin/env bash
# The queue's load measurement (issue 4): messages per second with smtp-source (Debian's postfix
# package) at 20 and 100 concurrent sessions, 4 KB messages, one message per connection, against
# the Release builds on 127.0.0.1 only. Bounded: MESSAGES per run (default 5000).
#   bash bench/run-load.sh            # Sluice log+fsync, log without fsync, files+fsync, SmtpServer baseline
set -euo pipefail
cd "$(dirname "$0")/.."
MESSAGES=${MESSAGES:-5000}
# KEEP=1: smtp-source -d, many messages per connection (the session limits are raised for it).
KEEP=${KEEP:-0}
SOURCE_FLAGS=()
if [ "$KEEP" = 1 ]; then SOURCE_FLAGS=(-d); fi
PORT=${PORT:-2626}
DATA=$(mktemp -d /var/tmp/sluice-bench.XXXXXX)
SERVER_PID=
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$DATA"' EXIT
command -v smtp-source >/dev/null || { echo "smtp-source missing: apt-get install -y postfix" >&2; exit 1; }

dotnet build -c Release src/Sluice.Server -v q -nologo >/dev/null
dotnet build -c Release bench/SmtpServerBaseline -v q -nologo >/dev/null
SLUICE=src/Sluice.Server/bin/Release/net10.0/Sluice.Server.dll
BASELINE=bench/SmtpServerBaseline/bin/Release/net10.0/SmtpServerBaseline.dll

wait_listening() { # $1 = stdout file of the server; then the port must take a connection
  for _ in $(seq 1 300); do
    if grep -q "listening" "$1" 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "server did not start: $(cat "$1")" >&2; return 1
}

measure() { # $1 = label, $2 = sessions
  local start end
  start=$(date +%s.%N)
  smtp-source "${SOURCE_FLAGS[@]}" -s "$2" -m "$MESSAGES" -l 4096 -f load@bench.test -t rcpt@bench.test "127.0.0.1:$PORT"
  end=$(date +%s.%N)
  awk -v l="$1" -v s="$2" -v n="$MESSAGES" -v a="$start" -v b="$end" \
    'BEGIN { printf "%-22s %4d sessions  %6d msgs  %7.2f s  %8.0f msg/s\n", l, s, n, b - a, n / (b - a) }'
}

run_sluice() { # $1 = label, $2 = type, $3 = fsync, $4 = sessions
  local queue="$DATA/$1-$4" config="$DATA/$1-$4.toml" out="$DATA/$1-$4.out"
  cat > "$config" <<TOML
[server]
hostname = "bench.test"
[server.listener.smtp]
bind = "127.0.0.1:$PORT"
[server.listener.http]
bind = "127.0.0.1:0"
protocol = "http"
[session]
transfer-limit = "100gb"
duration = "1h"
[session.data.limits]
messages = 1000000
[queue]
type = "$2"
fsync = $3
path = "$queue"
min-free-space = 1
[logging.loglevel]
default = "Warning"
TOML
  dotnet "$SLUICE" --config "$config" >"$out" 2>&1 &
  SERVER_PID=$!
  wait_listening "$out"
  measure "$1" "$4"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
}

run_baseline() { # $1 = sessions
  local out="$DATA/baseline-$1.out"
  dotnet "$BASELINE" "$PORT" "$DATA/baseline-$1" >"$out" 2>&1 &
  SERVER_PID=$!
  wait_listening "$out"
  measure "SmtpServer (no fsync)" "$1"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
}

for sessions in 20 100; do
  run_sluice "log+fsync" log true "$sessions"
  run_sluice "log (no fsync)" log false "$sessions"
  run_sluice "files+fsync" files true "$sessions"
  run_baseline "$sessions"
done
