#!/usr/bin/env bash
# Check: every number in README.md's benchmark table appears in the recorded run, docs/benchmarks-results.md
# (written by scripts/bench.sh), so the README quotes measurements, not memories. Numbers are compared as printed
# ("0.49" does not match "0.492"; thousands separators are ignored, so "1,000" matches "1000"). Cheap: text only.
#   scripts/checks/bench-numbers.sh [README.md] [docs/benchmarks-results.md]
set -uo pipefail
cd "$(dirname "$0")/../.."
readme=${1:-README.md}
results=${2:-docs/benchmarks-results.md}

[ -f "$readme" ] || { echo "bench-numbers: $readme not found" >&2; exit 1; }
[ -f "$results" ] || { echo "bench-numbers: $results not found; run scripts/bench.sh and commit it" >&2; exit 1; }

# The first markdown table under the "## Benchmarks" heading, without its header and separator rows.
rows=$(awk '/^## /{inside = ($0 ~ /^## Benchmarks[[:space:]]*$/); next}
            inside && /^\|/ {seen = 1; n++; if (n > 2) print; next}
            inside && seen {exit}' "$readme")
[ -n "$rows" ] || { echo "bench-numbers: no table under '## Benchmarks' in $readme" >&2; exit 1; }

# Numbers that stand on their own: not the 99 of "p99" or the 1 of "v1"; a trailing full stop is not a decimal.
numbers() { grep -oE '(^|[^[:alnum:]_.])[0-9][0-9,]*(\.[0-9]+)?' | sed -E 's/^[^0-9]//; s/,//g'; }

known=$(numbers <"$results" | sort -u)
missing=0
while IFS= read -r row; do
  for n in $(printf '%s\n' "$row" | numbers | sort -u); do
    if ! grep -qxF -- "$n" <<<"$known"; then
      echo "bench-numbers: README number $n is not in $results: $(cut -c1-120 <<<"$row")" >&2
      missing=$((missing + 1))
    fi
  done
done <<<"$rows"

if [ "$missing" -gt 0 ]; then
  echo "bench-numbers: $missing README benchmark number(s) not found in the recorded run; quote $results as printed or re-run scripts/bench.sh" >&2
  exit 1
fi
echo "bench-numbers: every number in README's benchmark table is in $results"
