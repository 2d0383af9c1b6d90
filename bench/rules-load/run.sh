#!/usr/bin/env bash
# Issue 5's load check: the same load against the server with a realistic rule set and two throttles
# (rules.toml) and without them (plain.toml), alternating, REPS times; loopback only, bounded counts.
#   bash bench/rules-load/run.sh          # MESSAGES=30000 SESSIONS=20 REPS=3
set -euo pipefail
cd "$(dirname "$0")/../.."
MESSAGES=${MESSAGES:-30000}; SESSIONS=${SESSIONS:-20}; REPS=${REPS:-3}
WORK=$(mktemp -d /var/tmp/sluice-rules-load.XXXXXX)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
dotnet build -c Release src/Sluice.Server -v q -nologo >/dev/null
dotnet build -c Release bench/Sluice.Load -v q -nologo >/dev/null
SERVER=src/Sluice.Server/bin/Release/net10.0/Sluice.Server.dll
LOAD=bench/Sluice.Load/bin/Release/net10.0/Sluice.Load.dll
for rep in $(seq 1 "$REPS"); do
  for cfg in plain rules; do
    rm -rf "$WORK/q"; sed "s#{queue}#$WORK/q#" "bench/rules-load/$cfg.toml" > "$WORK/$cfg.toml"
    dotnet "$SERVER" --config "$WORK/$cfg.toml" > "$WORK/server.log" 2>&1 & PID=$!
    for _ in $(seq 1 200); do grep -q "listening: http" "$WORK/server.log" && break; sleep 0.1; done
    dotnet "$LOAD" --server 127.0.0.1:2700 --sessions "$SESSIONS" --messages 2000 >/dev/null   # warm-up
    printf '%s rep %s: ' "$cfg" "$rep"
    dotnet "$LOAD" --server 127.0.0.1:2700 --sessions "$SESSIONS" --messages "$MESSAGES" --size 4096 --per-connection 10 | tail -n 1
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
  done
done
