#!/usr/bin/env bash
# Runs the end-to-end drills and the BenchmarkDotNet benchmarks and prints every table as markdown.
#   scripts/bench.sh            full runs (about 10 minutes on 2 cores)
#   scripts/bench.sh --quick    smoke runs: proves everything works, numbers mean little
#   scripts/bench.sh --drills | --benchmarks   only one half
# Everything printed is also written to artifacts/bench/results.md.
# Exit status: non-zero when a drill or benchmark could not run (a missed target is printed, not an error).
set -uo pipefail
cd "$(dirname "$0")/.."

quick=""; run_drills=1; run_benchmarks=1
for arg in "$@"; do
  case "$arg" in
    --quick) quick="--quick" ;;
    --drills) run_benchmarks=0 ;;
    --benchmarks) run_drills=0 ;;
    *) echo "usage: $0 [--quick] [--drills|--benchmarks]" >&2; exit 2 ;;
  esac
done

bash scripts/install-deps.sh || exit 1
if ! command -v wrk >/dev/null; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "Installing wrk (HTTP load generator for the http-overhead drill)"
  source scripts/lib/apt.sh; apt_get update -qq && apt_get install -y -qq --no-install-recommends wrk >/dev/null || exit 1
fi

out=artifacts/bench
mkdir -p "$out"
results="$out/results.md"
status=0

{
  echo "## Benchmark results"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), .NET SDK $(dotnet --version) (runtime $(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ {v=$2} END {print v}')), $(date -u '+%Y-%m-%d %H:%M UTC')${quick:+ (quick run)}"
  echo
} | tee "$results"

if [ "$run_drills" -eq 1 ]; then
  echo "Building the drills ..." >&2
  dotnet build -c Release --nologo -v q bench/MaintenanceActors.Drills >&2 || exit 1
  dotnet run -c Release --no-build --project bench/MaintenanceActors.Drills -- all $quick | tee -a "$results"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
fi

if [ "$run_benchmarks" -eq 1 ]; then
  job=short; [ -n "$quick" ] && job=dry
  rm -rf "$out/bdn"
  echo "Running BenchmarkDotNet (job $job) ..." >&2
  if dotnet run -c Release --project bench/MaintenanceActors.Benchmarks -- --filter '*' --job "$job" --artifacts "$out/bdn" >"$out/bdn.log" 2>&1; then
    for report in "$out"/bdn/results/*-report-github.md; do
      name=$(basename "$report" -report-github.md)
      { echo "### ${name##*.}"; echo; sed -n '/^|/p' "$report"; echo; } | tee -a "$results"
    done
    grep -m1 -E '^Runtime|\[Host\]' "$out"/bdn/results/*-report-github.md | head -1 | sed 's/^[^:]*:/BenchmarkDotNet host:/' | tee -a "$results"
  else
    status=1
    echo "BenchmarkDotNet failed; see $out/bdn.log" | tee -a "$results"
    tail -30 "$out/bdn.log" >&2
  fi
fi

echo >&2
echo "Written to $results" >&2
exit "$status"
