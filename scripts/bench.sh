#!/usr/bin/env bash
# Runs the end-to-end drills and the BenchmarkDotNet benchmarks and records every table, each beside the baseline
# measured in the same run, with the machine, date and commit they were measured on.
#   scripts/bench.sh                 full run (about 10 minutes on 2 cores), recorded in docs/benchmarks-results.md
#   scripts/bench.sh --quick         smoke run: proves everything works, numbers mean little (artifacts only)
#   scripts/bench.sh --drills | --benchmarks   only one half (artifacts only)
#   scripts/bench.sh --job medium    BenchmarkDotNet job (short by default; dry with --quick)
# Only a full run replaces docs/benchmarks-results.md, the file the README's benchmark table is checked against
# (scripts/checks/bench-numbers.sh); every run also writes artifacts/bench/results.md.
# Exit status: non-zero when a drill or benchmark could not run (a missed target is printed, not an error).
set -uo pipefail
cd "$(dirname "$0")/.."

quick=""; run_drills=1; run_benchmarks=1; job=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick="--quick" ;;
    --drills) run_benchmarks=0 ;;
    --benchmarks) run_drills=0 ;;
    --job) shift; job="${1:-}"; [ -n "$job" ] || { echo "--job needs a BenchmarkDotNet job name (dry, short, medium, long)" >&2; exit 2; } ;;
    *) echo "usage: $0 [--quick] [--drills|--benchmarks] [--job short|medium|long]" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$job" ] || { job=short; [ -n "$quick" ] && job=dry; }

bash scripts/install-deps.sh || exit 1
if ! command -v wrk >/dev/null; then
  echo "Installing wrk (HTTP load generator for the http-overhead drill)"
  source scripts/lib/apt.sh; apt_get update -qq && apt_get install -y -qq --no-install-recommends wrk >/dev/null || exit 1
fi

out=artifacts/bench
mkdir -p "$out"
body="$out/body.md"
results="$out/results.md"
recorded=docs/benchmarks-results.md
record=0; [ -z "$quick" ] && [ "$run_drills" -eq 1 ] && [ "$run_benchmarks" -eq 1 ] && record=1
status=0
: >"$body"

# Where and on what the numbers were measured, taken before anything runs.
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- . ":(exclude)$recorded" 2>/dev/null || commit="$commit (with uncommitted changes)"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
memory=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
runtime=$(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ {v=$2} END {print v}')
package() { sed -n "s/.*PackageVersion Include=\"$1\" Version=\"\([^\"]*\)\".*/\1/p" Directory.Packages.props; }
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
began=$(date +%s)

if [ "$run_drills" -eq 1 ]; then
  echo "Building the drills ..." >&2
  dotnet build -c Release --nologo -v q bench/MaintenanceActors.Drills >&2 || exit 1
  echo "## Drills" >>"$body"; echo >>"$body"
  dotnet run -c Release --no-build --project bench/MaintenanceActors.Drills -- all $quick | tee -a "$body"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
fi

if [ "$run_benchmarks" -eq 1 ]; then
  rm -rf "$out/bdn"
  echo "Running BenchmarkDotNet (job $job, in process) ..." >&2
  # In process: no generated project to build, whose build alone can pass BenchmarkDotNet's 2-minute limit on 2 busy cores.
  if dotnet run -c Release --project bench/MaintenanceActors.Benchmarks -- --filter '*' --job "$job" --inProcess --artifacts "$out/bdn" >"$out/bdn.log" 2>&1 \
     && ls "$out"/bdn/results/*-report-github.md >/dev/null 2>&1; then
    {
      echo "## BenchmarkDotNet (job $job, in process)"
      echo
      # The environment block once (BenchmarkDotNet version, OS, CPU, runtime), then every table.
      first=$(ls "$out"/bdn/results/*-report-github.md | head -1)
      sed -n '/^```/,/^```/p' "$first"
      echo
      for report in "$out"/bdn/results/*-report-github.md; do
        name=$(basename "$report" -report-github.md)
        echo "### ${name##*.}"; echo
        sed -n '/^|/p' "$report"; echo
      done
      [ -f "$out/bdn/results/targets.md" ] && cat "$out/bdn/results/targets.md"
    } | tee -a "$body"
    # A benchmark that failed shows NA as its Mean (the second column; Error is NA in a dry run by design).
    grep -qE '^\| [^|]+\| +NA +\|' "$out"/bdn/results/*-report-github.md && { status=1; echo "A benchmark produced no result (NA); see $out/bdn.log" | tee -a "$body"; }
  else
    status=1
    echo "BenchmarkDotNet failed; see $out/bdn.log" | tee -a "$body"
    tail -30 "$out/bdn.log" >&2
  fi
fi

minutes=$(( ($(date +%s) - began + 59) / 60 ))
{
  echo "# Benchmark results"
  echo
  echo "Written by \`scripts/bench.sh\`${quick:+ --quick}; do not edit by hand. Method: [benchmarks.md](benchmarks.md)."
  echo "Every number in the README's benchmark table must appear here (\`scripts/checks/bench-numbers.sh\`)."
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| date | $started (took about $minutes min) |"
  echo "| commit | $commit |"
  echo "| machine | $(nproc) cores ($cpu), $memory memory, $(. /etc/os-release && echo "$PRETTY_NAME") |"
  echo "| .NET | SDK $(dotnet --version), runtime $runtime |"
  echo "| packages | Akka $(package Akka), BenchmarkDotNet $(package BenchmarkDotNet) |"
  echo "| load average (1/5/15 min) | $load_before at start, $(cut -d' ' -f1-3 /proc/loadavg) at end |"
  echo
  echo "## Targets"
  echo
  grep -h '^Target' "$body" | sed -E 's/^Target \(([^)]+)\): /- \1: /; s/^Target: /- /'
  echo
  cat "$body"
} >"$results"
rm -f "$body"

if [ "$record" -eq 1 ]; then
  cp "$results" "$recorded"
  echo "Recorded in $recorded (commit it with the README table it backs)" >&2
else
  echo "Written to $results (not recorded: only a full run replaces $recorded)" >&2
fi
exit "$status"
