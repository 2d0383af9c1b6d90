# Sourced by alloc.sh, cost.sh and profile.sh, so that all three measure the same server: the
# configuration they run it with (log queue, fsync off, limits out of the way of a long load) and the
# wait until it listens. Defines functions only.

write_bench_config() { # $1 = data directory (the queue goes below it), $2 = SMTP port
  cat > "$1/sluice.toml" <<TOML
[server]
hostname = "bench.test"
[server.listener.smtp]
bind = "127.0.0.1:$2"
[server.listener.http]
bind = "127.0.0.1:0"
protocol = "http"
[session]
transfer-limit = "100gb"
duration = "1h"
[session.data.limits]
messages = 1000000
[queue]
type = "log"
fsync = false
path = "$1/queue"
min-free-space = 1
[logging.loglevel]
default = "Warning"
TOML
}

wait_for_port() { # $1 = SMTP port, $2 (optional) = a file that must also be non-empty; 30 s at most
  for _ in $(seq 1 300); do
    if { [ -z "${2:-}" ] || [ -s "$2" ]; } && (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "the server did not listen on 127.0.0.1:$1 within 30 s" >&2
  return 1
}
