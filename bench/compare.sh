#!/usr/bin/env bash
# Side-by-side SMTP comparison (issue 12) on 127.0.0.1 only, driven by smtp-source (Debian postfix).
# Targets: Sluice (Release) log+fsync, files+fsync, log without fsync; SmtpServerBaseline (the
# SmtpServer NuGet package, one file per message, no fsync); Postfix smtpd with its queue (a private
# instance under a temp dir, every message queued then handed to the `discard` transport); smtp-sink
# (accepts and forgets: the ceiling of this machine).
# For every load the targets run alternately (round robin), REPS times each; each run starts a fresh
# server, records wall time, server CPU (utime+stime from /proc, children included) and peak RSS, and
# afterwards counts what the target stored. Medians are printed at the end (and in $OUT/results.tsv).
#   bash bench/compare.sh                      # all loads, REPS=3
#   LOADS="20x2000x4096" REPS=1 bash bench/compare.sh
#   TARGETS="sluice-log-fsync postfix" bash bench/compare.sh
# LOADS entries are SESSIONSxMESSAGESxBYTES (smtp-source -s -m -l). KEEP=1 adds smtp-source -d (many
# messages per connection); the default opens one connection per message. WARMUP: see below.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-3}
LOADS=${LOADS:-"20x5000x4096 100x5000x4096 1x2000x1024 10x500x102400"}
TARGETS=${TARGETS:-"sluice-log-fsync sluice-files-fsync sluice-log-nofsync smtpserver postfix smtp-sink"}
KEEP=${KEEP:-0}
# WARMUP=N sends N messages (same sessions and size) to each fresh server before the measured run, so
# the JIT-compiled targets (Sluice, SmtpServer) are measured warm, as a long-running MX is; 0 measures
# from a cold start, as runs 1-6 in docs/performance.md did.
WARMUP=${WARMUP:-0}
PORT=${PORT:-2627}
RUN_TIMEOUT=${RUN_TIMEOUT:-300}   # seconds per smtp-source run (bounded even if a server stalls)
SOURCE_FLAGS=()
if [ "$KEEP" = 1 ]; then SOURCE_FLAGS=(-d); fi
DATA=$(mktemp -d /var/tmp/sluice-compare.XXXXXX)
chmod 755 "$DATA"   # the postfix user must reach its queue directory below it
OUT=${OUT:-$DATA}
mkdir -p "$OUT"
RESULTS="$OUT/results.tsv"
SERVER_PID=
POSTFIX_DIR=
SAMPLER_PID=

cleanup() {
  [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  [ -n "$POSTFIX_DIR" ] && postfix -c "$POSTFIX_DIR" stop >/dev/null 2>&1 || true
  if [ "$OUT" = "$DATA" ]; then
    find "$DATA" -mindepth 1 -maxdepth 1 ! -name 'results.tsv' ! -name '*.log' -exec rm -rf {} + 2>/dev/null || true
    echo "results kept in $DATA" >&2
  else
    rm -rf "$DATA"
  fi
}
trap cleanup EXIT
command -v smtp-source >/dev/null || { echo "smtp-source missing: apt-get install -y postfix" >&2; exit 1; }

dotnet build -c Release src/Sluice.Server -v q -nologo >/dev/null
dotnet build -c Release bench/SmtpServerBaseline -v q -nologo >/dev/null
SLUICE=src/Sluice.Server/bin/Release/net10.0/Sluice.Server.dll
BASELINE=bench/SmtpServerBaseline/bin/Release/net10.0/SmtpServerBaseline.dll
TCK=$(getconf CLK_TCK)

wait_port() { # bounded: 30 s
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listening on $PORT" >&2; return 1
}

# Ticks of CPU used by a process tree rooted at a session leader: live processes of the session plus
# what the leader has reaped (cutime+cstime). For a single process this is utime+stime (+ children).
cpu_ticks() { # $1 = pid
  local sid
  sid=$(awk '{ sub(/^.*\) /, ""); print $4 }' "/proc/$1/stat")
  for f in /proc/[0-9]*/stat; do cat "$f" 2>/dev/null || true; done | awk -v sid="$sid" -v root="$1" '
    { pid = $1; sub(/^.*\) /, ""); # fields now start at state (3rd field of stat)
      if ($4 == sid) { t += $12 + $13 } if (pid == root) { t += $14 + $15 } }
    END { print t + 0 }'
}

# Sum of Pss (kB, shared pages split between the processes) over the session of $1 (Postfix is many
# processes), sampled every 0.2 s until killed; keeps the peak in $2.
sample_rss() { # $1 = pid, $2 = out file
  local sid peak=0 now
  sid=$(awk '{ sub(/^.*\) /, ""); print $4 }' "/proc/$1/stat")
  while kill -0 "$1" 2>/dev/null; do
    now=$(for f in /proc/[0-9]*/stat; do cat "$f" 2>/dev/null || true; done | awk -v sid="$sid" '
      { pid = $1; sub(/^.*\) /, ""); if ($4 == sid) print pid }' | while read -r p; do
        awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || true
      done | awk '{ s += $1 } END { print s + 0 }')
    [ "$now" -gt "$peak" ] && peak=$now && echo "$peak" > "$2"
    sleep 0.2
  done
}

sluice_config() { # $1 = file, $2 = type, $3 = fsync, $4 = queue path
  cat > "$1" <<TOML
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
path = "$4"
min-free-space = 1
[logging.loglevel]
default = "Warning"
TOML
}

postfix_setup() { # $1 = dir; writes main.cf/master.cf for a private instance on 127.0.0.1:$PORT
  local d=$1
  mkdir -p "$d/conf" "$d/queue" "$d/data"
  cat > "$d/conf/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $d/queue
data_directory = $d/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = bench.test
mydomain = bench.test
mydestination =
relay_domains =
mynetworks = 127.0.0.0/8
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
default_transport = discard
relay_transport = discard
local_transport = discard
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions =
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
smtpd_peername_lookup = no
smtpd_banner = bench.test ESMTP
message_size_limit = 0
default_process_limit = 200
biff = no
maillog_file = $d/maillog
CF
  cat > "$d/conf/master.cf" <<CF
127.0.0.1:$PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
postlog   unix-dgram n  -       n       -       1       postlogd
CF
  chown root:root "$d/queue"
  chown postfix "$d/data"
  chmod 755 "$d"
}

# start_<target> sets SERVER_PID (for postfix: the master); stored_<...> prints the stored count.
start_target() { # $1 = target, $2 = run dir
  local t=$1 d=$2
  mkdir -p "$d"
  case $t in
    sluice-*)
      local type=log fsync=true
      case $t in sluice-files-fsync) type=files ;; sluice-log-nofsync) fsync=false ;; esac
      sluice_config "$d/sluice.toml" "$type" "$fsync" "$d/queue"
      dotnet "$SLUICE" --config "$d/sluice.toml" >"$d/server.out" 2>&1 &
      SERVER_PID=$! ;;
    smtpserver)
      dotnet "$BASELINE" "$PORT" "$d/mail" >"$d/server.out" 2>&1 &
      SERVER_PID=$! ;;
    smtp-sink)
      smtp-sink -u postfix "127.0.0.1:$PORT" 1000 >"$d/server.out" 2>&1 &
      SERVER_PID=$! ;;
    postfix)
      postfix_setup "$d"
      POSTFIX_DIR="$d/conf"
      postfix -c "$POSTFIX_DIR" check >/dev/null 2>&1 || true   # creates the queue subdirectories
      postfix -c "$POSTFIX_DIR" start >"$d/server.out" 2>&1
      for _ in $(seq 1 100); do [ -s "$d/queue/pid/master.pid" ] && break; sleep 0.1; done
      SERVER_PID=$(tr -d ' \n' < "$d/queue/pid/master.pid") ;;
  esac
  wait_port
}

postfix_drained() { # $1 = run dir: wait (bounded, 60 s) until the queue is empty, i.e. everything queued was discarded
  for _ in $(seq 1 600); do
    [ -z "$(find "$1/queue/incoming" "$1/queue/active" "$1/queue/deferred" -type f 2>/dev/null | head -1)" ] && break
    sleep 0.1
  done
}

stop_target() { # $1 = target, $2 = run dir
  case $1 in
    postfix)
      postfix_drained "$2"
      postfix -c "$POSTFIX_DIR" stop >/dev/null 2>&1 || true
      for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
      POSTFIX_DIR= ;;
    *)
      kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true ;;
  esac
  SERVER_PID=
}

stored_count() { # $1 = target, $2 = run dir
  case $1 in
    sluice-*) dotnet "$SLUICE" queue list --config "$2/sluice.toml" 2>/dev/null | grep -c . || true ;;
    smtpserver) find "$2/mail" -type f -name '*.eml' | wc -l ;;
    postfix) grep -c 'discard.*status=sent' "$2/maillog" 2>/dev/null || true ;;
    smtp-sink) echo "-" ;;
  esac
}

printf 'target\tload\trep\tmessages\tseconds\tmsg_per_s\tcpu_s_per_1000\tpeak_rss_mb\tstored\n' > "$RESULTS"
for load in $LOADS; do
  IFS=x read -r sessions messages bytes <<<"$load"
  for rep in $(seq 1 "$REPS"); do
    for t in $TARGETS; do
      d="$DATA/$t-$load-$rep"
      start_target "$t" "$d"
      rss_file="$d/rss"; echo 0 > "$rss_file"
      if [ "$t" = postfix ]; then sample_rss "$SERVER_PID" "$rss_file" & SAMPLER_PID=$!; fi
      sleep 0.5
      if [ "$WARMUP" -gt 0 ]; then
        timeout "$RUN_TIMEOUT" smtp-source "${SOURCE_FLAGS[@]}" -s "$sessions" -m "$WARMUP" -l "$bytes" \
          -f load@bench.test -t rcpt@bench.test "127.0.0.1:$PORT" >"$d/warmup.out" 2>&1 || true
        [ "$t" = postfix ] && postfix_drained "$d"   # its queue manager must not discard the warm-up during the run
      fi
      c0=$(cpu_ticks "$SERVER_PID"); a=$(date +%s.%N)
      status=ok
      timeout "$RUN_TIMEOUT" smtp-source "${SOURCE_FLAGS[@]}" -s "$sessions" -m "$messages" -l "$bytes" \
        -f load@bench.test -t rcpt@bench.test "127.0.0.1:$PORT" >"$d/source.out" 2>&1 || status=fail
      b=$(date +%s.%N); c1=$(cpu_ticks "$SERVER_PID")
      if [ "$t" = postfix ]; then
        sleep 0.3; kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=
        rss=$(cat "$rss_file")
      else
        rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$SERVER_PID/status")
      fi
      stop_target "$t" "$d"
      stored=$(stored_count "$t" "$d")
      case $stored in ''|*[!0-9]*) ;; *) stored=$((stored - WARMUP)) ;; esac   # the warm-up was stored too
      [ "$status" = ok ] || stored="$stored(smtp-source failed: $(tail -1 "$d/source.out"))"
      awk -v t="$t" -v l="$load" -v r="$rep" -v n="$messages" -v a="$a" -v b="$b" -v c0="$c0" -v c1="$c1" \
          -v tck="$TCK" -v rss="$rss" -v s="$stored" 'BEGIN {
        printf "%s\t%s\t%d\t%d\t%.2f\t%.0f\t%.3f\t%.1f\t%s\n", t, l, r, n, b - a, n / (b - a),
          (c1 - c0) / tck / n * 1000, rss / 1024, s }' | tee -a "$RESULTS"
      rm -rf "$d"
    done
  done
done

echo
echo "medians over $REPS runs (KEEP=$KEEP, WARMUP=$WARMUP):"
printf "%-20s %-14s %9s %12s %10s  %s\n" target load msg/s "cpu s/1000" "rss MB" stored
awk -F'\t' 'NR > 1 { k = $1 "\t" $2; keys[k] = 1; n[k]++; m[k, n[k]] = $6; c[k, n[k]] = $7; r[k, n[k]] = $8;
    if ($9 == "-") none[k] = 1; else if ($9 + 0 != $4 + 0) bad[k] = bad[k] " rep" $3 ":" $9 "/" $4 }
  function med(a, k, cnt,   i, j, v, t) { for (i = 1; i <= cnt; i++) v[i] = a[k, i] + 0
    for (i = 1; i <= cnt; i++) for (j = i + 1; j <= cnt; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return cnt % 2 ? v[(cnt + 1) / 2] : (v[cnt / 2] + v[cnt / 2 + 1]) / 2 }
  END { for (k in keys) { split(k, p, "\t")
      printf "%-20s %-14s %9.0f %12.3f %10.1f  %s\n", p[1], p[2], med(m, k, n[k]), med(c, k, n[k]), med(r, k, n[k]),
        (k in bad) ? "MISMATCH" bad[k] : (k in none) ? "n/a (stores nothing)" : "all acknowledged stored" } }' "$RESULTS" | sort -b -k2,2 -k3,3nr
