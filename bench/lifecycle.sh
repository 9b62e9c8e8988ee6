#!/usr/bin/env bash
# Container lifecycle benchmark: `<runtime> run` of /bin/true in a busybox bundle,
# myruntime vs runc (and crun where it can run on this host); then the same with
# resource limits set (memory, cpu, pids, device rules), and the time myruntime's
# create and delete spend on cgroups (from its MYRUNTIME_TIMING=1 marks).
#
#   bench/lifecycle.sh                 # N=30 runs per runtime
#   N=100 bench/lifecycle.sh
#   MYRUNTIME=/path/to/myruntime bench/lifecycle.sh
#
# Each run gets a unique container id and its own --root state dir. Runtimes are
# alternated every round (rotating order), after one untimed warm-up run each.
# Must run as root. Everything it makes lives in one temp dir removed on exit.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${N:-30}"
MYRUNTIME="${MYRUNTIME:-$repo_root/bin/myruntime}"
RUNC="${RUNC:-$(command -v runc || true)}"
CRUN="${CRUN:-$(command -v crun || true)}"

bench_name=lifecycle
# shellcheck source=bench/lib/common.sh
. "$repo_root/bench/lib/common.sh"

[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer (got '$N')"
need myruntime
[[ -n "$RUNC" && -x "$RUNC" ]] || die "runc not found (apt-get install runc)"
need root jq

bench_make_work myruntime-bench
# "binary<TAB>root<TAB>id" of the container currently being run, for cleanup.
current=""

# On exit, before the work dir goes: the container of the run under way.
cleanup_current() {
    if [[ -n "$current" ]]; then
        IFS=$'\t' read -r c_bin c_root c_id <<<"$current"
        "$c_bin" --root "$c_root" delete -f "$c_id" >/dev/null 2>&1 || true
    fi
}
bench_traps cleanup_current

echo "lifecycle: building busybox bundle in $work/bundle" >&2
"$repo_root/scripts/mkimage-busybox.sh" "$work/bundle" 2>/dev/null
jq '.process.args = ["/bin/true"]' "$work/bundle/config.json" > "$work/config.json"
mv "$work/config.json" "$work/bundle/config.json"
# The same bundle with limits: what a container under an engine gets.
mkdir -p "$work/limited"
# runc refuses a rootfs that is a symlink: point root.path at the first bundle's rootfs instead.
jq --arg rootfs "$work/bundle/rootfs" '.root.path = $rootfs | .linux.resources += {"memory":{"limit":268435456},"cpu":{"shares":512,"quota":50000,"period":100000},"pids":{"limit":256}}' \
    "$work/bundle/config.json" > "$work/limited/config.json"
mkdir -p "$work/roots"

seq_no=0
# run_one NAME BINARY -> runs once; sets $elapsed_us. Returns the runtime's exit code.
run_one() {
    local name="$1" bin="$2" bundle="${3:-$work/bundle}"
    seq_no=$((seq_no + 1))
    local id="mrb-$$-$name-$seq_no"
    local root="$work/roots/$name-$seq_no"
    mkdir -p "$root"
    current="$bin"$'\t'"$root"$'\t'"$id"
    local t0 t1 rc=0
    t0="$(now_us)"
    "$bin" --root "$root" run -b "$bundle" "$id" </dev/null >"$work/out" 2>"$work/err" || rc=$?
    t1="$(now_us)"
    elapsed_us=$((t1 - t0))
    if [[ $rc -ne 0 ]]; then
        return "$rc"
    fi
    current=""
    rm -rf "$root"
    return 0
}

fail_run() {
    local name="$1" rc="$2"
    echo "lifecycle: '$name run' failed with exit code $rc:" >&2
    sed 's/^/  | /' "$work/err" "$work/out" >&2
    exit 1
}

names=(myruntime runc)
bins=("$MYRUNTIME" "$RUNC")
crun_note=""

# Probe crun once: it refuses to run on some cgroup layouts (e.g. v1/hybrid).
if [[ -z "$CRUN" || ! -x "$CRUN" ]]; then
    crun_note="crun: skipped (not installed)"
elif run_one crun "$CRUN"; then
    names+=(crun)
    bins+=("$CRUN")
else
    why="$(grep -hv '^[[:space:]]*$' "$work/err" "$work/out" | tail -n 1 || true)"
    IFS=$'\t' read -r c_bin c_root c_id <<<"$current"
    "$c_bin" --root "$c_root" delete -f "$c_id" >/dev/null 2>&1 || true
    rm -rf "$c_root"
    current=""
    crun_note="crun: skipped (probe run failed: ${why:-no output})"
fi
[[ -n "$crun_note" ]] && echo "lifecycle: $crun_note" >&2

count=${#names[@]}
# Warm-up (untimed), also catches a runtime that cannot run the bundle at all.
for ((k = 0; k < count; k++)); do
    run_one "${names[k]}" "${bins[k]}" || fail_run "${names[k]}" $?
    run_one "${names[k]}" "${bins[k]}" "$work/limited" || fail_run "${names[k]}" $?
done

# timed_phase TAG BUNDLE: N runs per runtime, alternated every round in rotating order.
timed_phase() {
    local tag="$1" bundle="$2"
    for name in "${names[@]}"; do : > "$work/times-$tag-$name"; done
    echo "lifecycle: $N timed runs per runtime ($tag): ${names[*]}" >&2
    for ((i = 0; i < N; i++)); do
        for ((j = 0; j < count; j++)); do
            k=$(( (i + j) % count ))
            run_one "${names[k]}" "${bins[k]}" "$bundle" || fail_run "${names[k]}" $?
            echo "$elapsed_us" >> "$work/times-$tag-${names[k]}"
        done
    done
}
timed_phase plain "$work/bundle"
timed_phase limited "$work/limited"

# Where myruntime's time goes on cgroups: the span between its create and delete marks, per run.
: > "$work/cgroup-create"; : > "$work/cgroup-delete"; : > "$work/cgroup-total"
for ((i = 0; i < N; i++)); do
    MYRUNTIME_TIMING=1 run_one myruntime "$MYRUNTIME" "$work/limited" || fail_run myruntime $?
    awk -v c="$work/cgroup-create" -v d="$work/cgroup-delete" '
        function span(a, b) { return b >= a ? b - a : b + 100000000 - a }  # marks wrap every 100 s
        match($0, /[0-9]+us/) { t = substr($0, RSTART, RLENGTH - 2) + 0 }
        /create: cgroup begin/ { cb = t } /create: cgroup made/ { print span(cb, t) >> c }
        /delete: cgroup begin/ { db = t } /delete: cgroup removed/ { print span(db, t) >> d }' "$work/err"
    echo "$elapsed_us" >> "$work/cgroup-total"
done

# stats FILE -> "median p90 min mean" in ms (p90 = nearest rank).
stats() {
    sort -n "$1" | awk '
        { v[NR] = $1; sum += $1 }
        END {
            n = NR
            med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
            r = int(0.9 * n); if (r < 0.9 * n) r++; if (r < 1) r = 1
            printf "%.3f %.3f %.3f %.3f\n", med / 1000, v[r] / 1000, v[1] / 1000, sum / n / 1000
        }'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'
}

# report TAG TITLE
report() {
    local tag="$1"
    echo
    echo "container lifecycle: '<runtime> run' of /bin/true, busybox bundle, $2, N=$N per runtime"
    printf '%-10s %6s %11s %11s %11s %11s\n' runtime runs median_ms p90_ms min_ms mean_ms
    declare -A median p90
    for name in "${names[@]}"; do
        read -r med p mn mean < <(stats "$work/times-$tag-$name")
        median[$name]=$med
        p90[$name]=$p
        printf '%-10s %6d %11s %11s %11s %11s\n' "$name" "$(wc -l < "$work/times-$tag-$name")" "$med" "$p" "$mn" "$mean"
    done
    [[ -n "$crun_note" ]] && echo "$crun_note"
    echo "ratio myruntime/runc: median $(ratio "${median[myruntime]}" "${median[runc]}")x, p90 $(ratio "${p90[myruntime]}" "${p90[runc]}")x"
    if [[ -n "${median[crun]:-}" ]]; then
        echo "ratio myruntime/crun: median $(ratio "${median[myruntime]}" "${median[crun]}")x, p90 $(ratio "${p90[myruntime]}" "${p90[crun]}")x"
    fi
}
report plain "no resource limits"
report limited "memory + cpu + pids limits and device rules"

echo
echo "myruntime cgroup time with limits (MYRUNTIME_TIMING marks), N=$N"
printf '%-22s %11s %11s %11s\n' step median_ms p90_ms mean_ms
for step in create delete; do
    read -r med p _ mean < <(stats "$work/cgroup-$step")
    printf '%-22s %11s %11s %11s\n' "cgroup $step" "$med" "$p" "$mean"
done
read -r total _ _ _ < <(stats "$work/cgroup-total")
read -r cmed _ _ _ < <(stats "$work/cgroup-create")
read -r dmed _ _ _ < <(stats "$work/cgroup-delete")
echo "cgroup share of the whole run: $(awk -v a="$cmed" -v b="$dmed" -v t="$total" 'BEGIN { printf "%.1f%%", (a + b) / t * 100 }') (median run ${total} ms)"
