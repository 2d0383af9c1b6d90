#!/usr/bin/env bash
# Where the Release server spends allocations and CPU per message (issue 12, item 2), under the same
# load as bench/alloc.sh (`log` queue, fsync off, smtp-source on 127.0.0.1):
#  - allocations: `dotnet-trace collect` with the runtime's GC keyword at verbose level records a
#    GCAllocationTick event with its stack about every 100 KB allocated; bench/TraceReport sums them by
#    type and by allocating stack, per message;
#  - CPU: `perf record` (with the runtime's perf map, so JIT-compiled frames have names) over the same
#    kind of run; `perf report` by symbol, self time.
# Both measured runs come after a warm-up run. KEEP=1 keeps each connection for many messages (-d).
#   bash bench/profile.sh               # MESSAGES=20000 SESSIONS=20 BYTES=4096 KEEP=1 OUT=/var/tmp/sluice-profile
# ALLOCS=0 or PERF=0 skips a part. Needs dotnet-trace (`dotnet tool install -g dotnet-trace`) and perf (apt package linux-perf); either
# part is skipped when its tool is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
MESSAGES=${MESSAGES:-20000}
SESSIONS=${SESSIONS:-20}
BYTES=${BYTES:-4096}
KEEP=${KEEP:-1}
PORT=${PORT:-2629}
OUT=${OUT:-/var/tmp/sluice-profile}
PATH="$PATH:$HOME/.dotnet/tools"
mkdir -p "$OUT"
DATA=$(mktemp -d /var/tmp/sluice-prof.XXXXXX)
SERVER_PID=
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; rm -rf "$DATA"' EXIT

dotnet build -c Release src/Sluice.Server -v q -nologo >/dev/null
dotnet build -c Release bench/TraceReport -v q -nologo >/dev/null
SLUICE=src/Sluice.Server/bin/Release/net10.0/Sluice.Server.dll

. bench/bench-server.sh
write_bench_config "$DATA" "$PORT"

# W^X off: with it, JIT-compiled code runs from a double-mapped memfd that perf cannot match to the perf map
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 dotnet "$SLUICE" --config "$DATA/sluice.toml" >"$DATA/server.out" 2>&1 &
SERVER_PID=$!
wait_for_port "$PORT"
flags=(); [ "$KEEP" = 1 ] && flags=(-d)
load() {
  timeout 600 smtp-source "${flags[@]}" -s "$SESSIONS" -m "$MESSAGES" -l "$BYTES" \
    -f load@bench.test -t rcpt@bench.test "127.0.0.1:$PORT"
}
cpu() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }   # utime + stime, clock ticks

load   # warm-up: JIT, tiering, pools
a=$(cpu); load; b=$(cpu)
awk -v a="$a" -v b="$b" -v n="$MESSAGES" -v hz="$(getconf CLK_TCK)" 'BEGIN {
  printf "server CPU: %.3f s per 1000 messages\n", (b - a) / hz / n * 1000 }' | tee "$OUT/cpu.txt"

if [ "${ALLOCS:-1}" = 1 ] && command -v dotnet-trace >/dev/null; then
  dotnet-trace collect -p "$SERVER_PID" --providers 'Microsoft-Windows-DotNETRuntime:0x1:5' \
    -o "$OUT/alloc.nettrace" >"$DATA/trace.out" 2>&1 &
  TRACE_PID=$!
  sleep 2
  load
  # SIGTERM, not SIGINT: a script started in the background has SIGINT ignored, and so do its children
  kill -TERM "$TRACE_PID"; wait "$TRACE_PID" || true
  dotnet bench/TraceReport/bin/Release/net10.0/TraceReport.dll "$OUT/alloc.nettrace" "$MESSAGES" \
    "${FRAMES:-8}" "${TOP:-40}" >"$OUT/alloc.txt"
  echo "allocation report: $OUT/alloc.txt"
fi

if [ "${PERF:-1}" = 1 ] && command -v perf >/dev/null; then
  perf record -F 999 -g -p "$SERVER_PID" -o "$OUT/perf.data" >/dev/null 2>&1 &
  PERF_PID=$!
  sleep 1
  load
  kill -TERM "$PERF_PID"; wait "$PERF_PID" || true
  # flat self time (sed, not head, reads to the end: head would SIGPIPE perf under pipefail)
  perf report -i "$OUT/perf.data" --no-children --sort dso,symbol -g none --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' \
    | sed -n "1,${PERF_LINES:-150}p" >"$OUT/cpu-self.txt"
  perf report -i "$OUT/perf.data" --no-children --sort dso -g none --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' \
    | sed -n '1,30p' >"$OUT/cpu-dso.txt"
  echo "CPU reports: $OUT/cpu-self.txt $OUT/cpu-dso.txt"
fi
