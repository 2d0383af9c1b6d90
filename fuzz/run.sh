#!/usr/bin/env bash
# Runs the SharpFuzz targets of fuzz/Sluice.Fuzz under afl-fuzz for a bounded time each.
#
#   fuzz/run.sh                      every target, 300 s each
#   fuzz/run.sh command 60           one target, 60 s
#   fuzz/run.sh --smoke              every target, 13 s each (what CI runs)
#   FUZZ_SECONDS=120 fuzz/run.sh     every target, 120 s each
#
# Installs what is missing (afl++ through apt, the sharpfuzz tool into fuzz/.tools), builds Release into
# fuzz/out/, instruments Sluice.dll and Sluice.Sieve.dll, fuzzes from fuzz/corpus/<target>/ and prints one
# line per target:
#   fuzz <target>: executions=N seconds=S crashes=C hangs=H unreproduced=U
# Every crash input is copied to fuzz/regressions/<target>/ (named after the exception it throws), where
# the regression tests replay it. Exits 1 when a target found a crash or ran no execution.
set -uo pipefail
# The whole script is one brace group, read before it runs: editing the file during a long run is safe.
{
cd "$(dirname "$0")"
fuzz_dir=$(pwd)
targets_all=(command data config sieve)

seconds=${FUZZ_SECONDS:-300}
targets=()
for arg in "$@"; do
  case "$arg" in
    --smoke) seconds=13 ;;
    command|data|config|sieve) targets+=("$arg") ;;
    ''|*[!0-9]*) echo "usage: fuzz/run.sh [--smoke] [command|data|config|sieve] [seconds]" >&2; exit 2 ;;
    *) seconds=$arg ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${targets_all[@]}")

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# --- tools -------------------------------------------------------------------------------------------
if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "installing afl++ (apt)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++) >/dev/null 2>&1 \
    || { echo "error: could not install afl++" >&2; exit 1; }
fi
sharpfuzz="$fuzz_dir/.tools/sharpfuzz"
if [ ! -x "$sharpfuzz" ]; then
  echo "installing the sharpfuzz tool into fuzz/.tools" >&2
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$fuzz_dir/.tools" >/dev/null \
    || { echo "error: could not install SharpFuzz.CommandLine" >&2; exit 1; }
fi

# --- build and instrument ----------------------------------------------------------------------------
# Instrumenting rewrites the assemblies in place, so it works on a fresh copy of the build output each
# run (an already instrumented assembly cannot be instrumented again).
out="$fuzz_dir/out"
mkdir -p "$out"
if ! dotnet build "$fuzz_dir/Sluice.Fuzz/Sluice.Fuzz.csproj" -c Release -o "$out/build" -v q -nologo >"$out/build.log" 2>&1; then
  cat "$out/build.log" >&2
  echo "error: build failed" >&2
  exit 1
fi
rm -rf "$out/bin"
cp -r "$out/build" "$out/bin"
for assembly in Sluice.dll Sluice.Sieve.dll; do
  if ! "$sharpfuzz" "$out/bin/$assembly" >"$out/instrument.log" 2>&1; then
    cat "$out/instrument.log" >&2
    echo "error: could not instrument $assembly" >&2
    exit 1
  fi
done

# --- fuzz --------------------------------------------------------------------------------------------
# What afl-fuzz needs in a container or CI: no curses UI, no CPU governor or core_pattern checks, no
# CPU binding (the cores are shared), and no instrumentation check of `dotnet` itself (the
# instrumentation is in the managed assemblies, reported by SharpFuzz's fork server).
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_SKIP_BIN_CHECK=1
# The .NET runtime starts and JIT-compiles before the fork server answers.
export AFL_FORKSRV_INIT_TMOUT=60000
export SLUICE_FUZZ_TMP="$out/tmp"
rm -rf "$SLUICE_FUZZ_TMP"

stat_of() { grep -E "^$1 *:" "$2" 2>/dev/null | head -n 1 | sed 's/.*: *//' | tr -d ' ' ; }

status=0
summary=()
for target in "${targets[@]}"; do
  findings="$out/findings/$target"
  rm -rf "$findings"
  mkdir -p "$findings"
  echo "fuzzing $target for ${seconds}s" >&2
  # -t 5000: a fixed limit per input, generous for a child that has just started and JIT-compiles.
  # Not "5000+" (auto-scaled): afl-fuzz then cuts to a few tens of ms, kills SharpFuzz's child on
  # every slow run and the restarts get reported as crashes. -m none: the .NET runtime reserves far
  # more address space than afl's default memory limit.
  dict=()
  [ -f "$fuzz_dir/dict/$target.dict" ] && dict=(-x "$fuzz_dir/dict/$target.dict")
  timeout $((seconds + 180)) afl-fuzz -i "$fuzz_dir/corpus/$target" -o "$findings" -V "$seconds" -t 5000 -m none \
    "${dict[@]}" -- dotnet "$out/bin/Sluice.Fuzz.dll" "$target" >"$findings/afl.log" 2>&1 </dev/null
  afl_status=$?

  stats="$findings/default/fuzzer_stats"
  execs=$(stat_of execs_done "$stats"); execs=${execs:-0}
  run_time=$(stat_of run_time "$stats"); run_time=${run_time:-0}
  hangs=$(stat_of saved_hangs "$stats"); hangs=${hangs:-$(stat_of unique_hangs "$stats")}; hangs=${hangs:-0}

  # Replay every crash input with the uninstrumented build in a process of its own: one that fails
  # there (an exception, or the process dying) is kept as a regression, named after the exception.
  # One that passes was not the input's doing (e.g. the child was killed under load): it is counted
  # apart and left in fuzz/out/.
  crashes=0
  unreproduced=0
  for crash in "$findings"/default/crashes/id:*; do
    [ -e "$crash" ] || continue
    hash=$(sha1sum "$crash" | cut -c1-12)
    # afl's file names hold colons: replay a copy so that the exception's name can be cut out of the report.
    cp "$crash" "$out/replay.bin"
    report=$(timeout 60 dotnet "$out/build/Sluice.Fuzz.dll" "$target" "$out/replay.bin" 2>&1)
    replay_status=$?
    if [ "$replay_status" -eq 0 ]; then
      unreproduced=$((unreproduced + 1))
      echo "  a crash input that passes when replayed: ${crash#"$fuzz_dir/"}" >&2
      continue
    fi
    crashes=$((crashes + 1))
    kind=$(echo "$report" | grep -o '^FAILED: [^:]*: [A-Za-z0-9_.]*' | head -n 1 | sed 's/.*: //; s/.*\.//')
    mkdir -p "$fuzz_dir/regressions/$target"
    cp "$crash" "$fuzz_dir/regressions/$target/${kind:-crash}-$hash.bin"
    echo "  crash input kept as fuzz/regressions/$target/${kind:-crash}-$hash.bin" >&2
  done
  if [ "$hangs" != 0 ]; then
    echo "  hang inputs in ${findings#"$fuzz_dir/"}/default/hangs/ (not kept: replay them with dotnet fuzz/out/build/Sluice.Fuzz.dll $target FILE)" >&2
  fi

  if [ "$execs" = 0 ]; then
    echo "  afl-fuzz ran no execution (exit $afl_status); its log, fuzz/out/findings/$target/afl.log, ends with:" >&2
    tail -n 15 "$findings/afl.log" >&2
    status=1
  fi
  [ "$crashes" = 0 ] || status=1
  summary+=("fuzz $target: executions=$execs seconds=$run_time crashes=$crashes hangs=$hangs unreproduced=$unreproduced")
done

printf '%s\n' "${summary[@]}"
exit $status
}
