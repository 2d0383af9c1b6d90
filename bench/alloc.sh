#!/usr/bin/env bash
# Managed bytes allocated per message, end to end, in the Release server (issue 12, item 2): Sluice on
# 127.0.0.1 with the `log` queue (fsync off, so the run is short) and bench/AllocHook as a startup hook
# that publishes GC.GetTotalAllocatedBytes(precise: true). After a warm-up run, the difference across
# a measured smtp-source run is divided by its message count. Both connection modes are measured:
# one connection per message (smtp-source default) and one connection for many messages (-d).
# Below each figure: the top types from the runtime's sampled allocation events (GCAllocationTick).
#   bash bench/alloc.sh                 # MESSAGES=5000 SESSIONS=20 BYTES=4096
set -euo pipefail
cd "$(dirname "$0")/.."
MESSAGES=${MESSAGES:-5000}
SESSIONS=${SESSIONS:-20}
BYTES=${BYTES:-4096}
PORT=${PORT:-2628}
DATA=$(mktemp -d /var/tmp/sluice-alloc.XXXXXX)
SERVER_PID=
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; rm -rf "$DATA"' EXIT

dotnet build -c Release src/Sluice.Server -v q -nologo >/dev/null
dotnet build -c Release bench/AllocHook -v q -nologo >/dev/null
SLUICE=src/Sluice.Server/bin/Release/net10.0/Sluice.Server.dll
HOOK=$(pwd)/bench/AllocHook/bin/Release/net10.0/AllocHook.dll

. bench/bench-server.sh
write_bench_config "$DATA" "$PORT"

DOTNET_STARTUP_HOOKS="$HOOK" ALLOC_HOOK_FILE="$DATA/allocated" ALLOC_HOOK_TYPES="$DATA/types" \
  dotnet "$SLUICE" --config "$DATA/sluice.toml" >"$DATA/server.out" 2>&1 &
SERVER_PID=$!
wait_for_port "$PORT" "$DATA/allocated"

allocated() { sleep 0.3; cat "$DATA/allocated"; }   # the hook writes every 100 ms
load() { # $@ = extra smtp-source flags
  timeout 300 smtp-source "$@" -s "$SESSIONS" -m "$MESSAGES" -l "$BYTES" \
    -f load@bench.test -t rcpt@bench.test "127.0.0.1:$PORT"
}

load; load -d   # warm-up: JIT, tiering, pools
for mode in "connection per message" "one connection, many messages (-d)"; do
  flags=(); [ "$mode" = "connection per message" ] || flags=(-d)
  a=$(allocated); sleep 1; cp "$DATA/types" "$DATA/types.before" 2>/dev/null || : > "$DATA/types.before"
  load "${flags[@]}"; b=$(allocated); sleep 1; cp "$DATA/types" "$DATA/types.after" 2>/dev/null || : > "$DATA/types.after"
  awk -v m="$mode" -v a="$a" -v b="$b" -v n="$MESSAGES" -v s="$SESSIONS" -v l="$BYTES" 'BEGIN {
    printf "%-36s %d sessions x %d msgs of %d B: %.0f bytes allocated per message\n", m, s, n, l, (b - a) / n }'
  # sampled (about one event per 100 KB): where the bytes of the measured run went, by type
  awk -F'\t' -v n="$MESSAGES" 'FNR == NR { before[$2] = $1; next } { d = $1 - before[$2]; if (d > 0) printf "    %8.0f B/msg  %s\n", d / n, $2 }' \
    "$DATA/types.before" "$DATA/types.after" | sort -k1,1nr | awk -v top="${TOP:-12}" 'NR <= top'   # awk reads it all: head would SIGPIPE sort under pipefail
done
