#!/usr/bin/env bash
# Longer fuzzing run of the parsers (tests/MyRuntime.Tests/Fuzz): the mutation fuzzer over the corpus for every
# target (config, process, manifest, image-config, reference, layer), then the FsCheck properties with many more
# cases. Prints inputs/s per target and the findings (each input saved under FUZZ_FINDINGS; copy it into
# tests/MyRuntime.Tests/Fuzz/corpus/<target>/crash-<hash> once fixed, so that it stays a regression test).
#
#   bench/fuzz.sh                       # 10 minutes of mutation fuzzing in all, a fresh seed
#   FUZZ_MINUTES=30 bench/fuzz.sh
#   FUZZ_SEED=1234 bench/fuzz.sh        # replay a run
#   PROPERTY_CASES=20000 bench/fuzz.sh  # FsCheck cases per property (default 5000)
#
# Unit-test level: no processes spawned, nothing mounted; layers are unpacked into temp directories (as root,
# device nodes and ownership are applied there). Exits non-zero when anything was found.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FUZZ_MINUTES="${FUZZ_MINUTES:-10}"
PROPERTY_CASES="${PROPERTY_CASES:-5000}"
FUZZ_SEED="${FUZZ_SEED:-$RANDOM$RANDOM}"
targets=6

bench_name=fuzz
# shellcheck source=bench/lib/common.sh
. "$repo_root/bench/lib/common.sh"
[[ "$FUZZ_MINUTES" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "FUZZ_MINUTES must be a number (got '$FUZZ_MINUTES')"
[[ "$PROPERTY_CASES" =~ ^[1-9][0-9]*$ ]] || die "PROPERTY_CASES must be a positive integer (got '$PROPERTY_CASES')"
[[ "$FUZZ_SEED" =~ ^[0-9]+$ ]] || die "FUZZ_SEED must be a non-negative integer (got '$FUZZ_SEED')"

work="$(mktemp -d /tmp/myruntime-fuzz.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export FUZZ_SEED
export FUZZ_FINDINGS="${FUZZ_FINDINGS:-/tmp/myruntime-fuzz-findings-$FUZZ_SEED}"
export FUZZ_STATS="$work/stats.tsv"
seconds="$(awk -v m="$FUZZ_MINUTES" -v n="$targets" 'BEGIN { printf "%.0f", m * 60 / n }')"

echo "fuzz: seed $FUZZ_SEED, $seconds s per target, findings under $FUZZ_FINDINGS"
cd "$repo_root"
dotnet build tests/MyRuntime.Tests -c Release 2>&1 | grep -E " error |Build succeeded" || die "build failed"

rc=0
FUZZ_SECONDS="$seconds" dotnet test tests/MyRuntime.Tests -c Release --no-build \
  --filter "FullyQualifiedName~Fuzz.MutationFuzzTests" --logger "console;verbosity=minimal" >"$work/mutation.log" 2>&1 || rc=1
start=$(date +%s)
FUZZ_ITERATIONS="$PROPERTY_CASES" dotnet test tests/MyRuntime.Tests -c Release --no-build \
  --filter "FullyQualifiedName~Fuzz.PropertyFuzzTests" --logger "console;verbosity=minimal" >"$work/property.log" 2>&1 || rc=1
property_seconds=$(( $(date +%s) - start ))

printf '\n%-14s %10s %9s %10s %9s\n' target inputs seconds inputs/s findings
sort "$FUZZ_STATS" | awk -F'\t' '{ printf "%-14s %10d %9.1f %10d %9d\n", $1, $2, $3, $4, $5; n += $2; f += $5 }
  END { printf "%-14s %10d %9s %10s %9d\n", "total", n, "", "", f }'
echo "FsCheck properties: 5 properties x $PROPERTY_CASES cases in ${property_seconds} s: $(grep -E 'Passed!|Failed!' "$work/property.log" || echo 'no summary')"

if [[ $rc -ne 0 ]]; then
  echo
  echo "fuzz: FINDINGS (seed $FUZZ_SEED):"
  grep -E '^\s*\[[a-z-]+\] FUZZ_SEED=|Falsifiable|Original:|^"' "$work/mutation.log" "$work/property.log" | cut -c1-400 || true
  grep -E 'Error Message' -A3 "$work/mutation.log" "$work/property.log" | cut -c1-400 | head -40 || true
  exit 1
fi
echo "fuzz: no findings"
