#!/usr/bin/env bash
# What a message costs the Release server, by counters rather than samples (issue 12, item 2): server
# CPU seconds per 1000 messages (/proc/PID/stat), and per message the system calls and context
# switches of all its threads (`perf stat`, software events), for one connection per message and
# for a kept connection (smtp-source -d). Same load and configuration as bench/alloc.sh.
#   bash bench/cost.sh                          # MESSAGES=10000 SESSIONS=20 BYTES=4096 REPS=2
#   SERVER_ENV="DOTNET_X=1" bash bench/cost.sh  # the same with extra environment for the server
#   MODES=conn SLUICE=/path/Sluice.Server.dll   # one mode only; a server built before
set -euo pipefail
cd "$(dirname "$0")/.."
MESSAGES=${MESSAGES:-10000}
SESSIONS=${SESSIONS:-20}
BYTES=${BYTES:-4096}
REPS=${REPS:-2}
PORT=${PORT:-2630}
DATA=$(mktemp -d /var/tmp/sluice-cost.XXXXXX)
SERVER_PID=
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; rm -rf "$DATA"' EXIT

if [ -z "${SLUICE:-}" ]; then   # SLUICE=path/Sluice.Server.dll measures a build made before (e.g. another commit's)
  dotnet build -c Release src/Sluice.Server -v q -nologo >/dev/null
  SLUICE=src/Sluice.Server/bin/Release/net10.0/Sluice.Server.dll
fi
. bench/bench-server.sh
write_bench_config "$DATA" "$PORT"

# shellcheck disable=SC2086
env ${SERVER_ENV:-} dotnet "$SLUICE" --config "$DATA/sluice.toml" >"$DATA/server.out" 2>&1 &
SERVER_PID=$!
wait_for_port "$PORT"
load() { timeout 600 smtp-source "$@" -s "$SESSIONS" -m "$MESSAGES" -l "$BYTES" -f load@bench.test -t rcpt@bench.test "127.0.0.1:$PORT"; }
cpu() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }

load; load -d   # warm-up
for rep in $(seq 1 "$REPS"); do
  for mode in ${MODES:-conn keep}; do
    flags=(); [ "$mode" = keep ] && flags=(-d)
    a=$(cpu); start=$(date +%s.%N)
    # with -p, the command only sets how long the server is counted: the load run
    perf stat -e raw_syscalls:sys_enter,context-switches -x, -o "$DATA/stat" -p "$SERVER_PID" -- \
      timeout 600 smtp-source "${flags[@]}" -s "$SESSIONS" -m "$MESSAGES" -l "$BYTES" -f load@bench.test -t rcpt@bench.test "127.0.0.1:$PORT"
    end=$(date +%s.%N); b=$(cpu)
    awk -F, -v m="$mode" -v a="$a" -v b="$b" -v n="$MESSAGES" -v hz="$(getconf CLK_TCK)" -v s="$start" -v e="$end" '
      $3 ~ /sys_enter/ { sc = $1 } $3 ~ /context-switches/ { cs = $1 }
      END { printf "%-5s CPU %.3f s/1000 msgs  syscalls %.1f/msg  context switches %.1f/msg  (%.0f msg/s, noisy)\n",
        m, (b - a) / hz / n * 1000, sc / n, cs / n, n / (e - s) }' "$DATA/stat"
  done
done
