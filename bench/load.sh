#!/usr/bin/env bash
# Load: COUNT `run -d --name loadN IMG sleep` started at once by parallel CLI invocations on the engine's default
# bridge network, then checks that they all came up with distinct ids, names and addresses, that every record
# parses (`inspect`) and `ps -a` lists exactly COUNT, then `rm -f` of all of them at once, and that nothing is
# left (mounts, cgroups, veths, iptables rules of the subnet, processes, container dirs).
#
#   bench/load.sh                      # COUNT=100
#   COUNT=30 bench/load.sh
#   MYRUNTIME=/path/to/myruntime bench/load.sh
#
# Private --storage-root and --runroot in one temp dir, its own bridge (BRIDGE, default mrload0) on SUBNET
# (default 10.233.7.0/24: room for 253 containers), all removed on exit (also on Ctrl-C). Exit status 1 if a
# check failed. Must run as root.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COUNT="${COUNT:-100}"
MYRUNTIME="${MYRUNTIME:-$repo_root/bin/myruntime}"
ROOTFS="${ROOTFS:-$repo_root/test-images/busybox/rootfs}"
BRIDGE="${BRIDGE:-mrload0}"
SUBNET="${SUBNET:-10.233.7.0/24}"

bench_name=load
bench_die_status=2
# shellcheck source=bench/lib/common.sh
. "$repo_root/bench/lib/common.sh"

[[ "$COUNT" =~ ^[1-9][0-9]*$ ]] && ((COUNT <= 250)) || die "COUNT must be 1..250 (got '$COUNT')"
need root myruntime jq bash5

bench_make_work mrload
# On exit, before the store and the work dir go: the CLI invocations still running.
wait_jobs() { wait; }
bench_traps wait_jobs

failures=0
fail() { echo "load: FAILED: $*"; failures=$((failures + 1)); }

ensure_rootfs
mkdir -p "$work/out"
image="localhost/mrload:latest"
import_rootfs "$image"
# The bridge exists before the burst, as on a host that ran a container before.
mr run --rm "$image" true || die "a first run on the bridge failed"

note "starting $COUNT containers at once"
t0=$(now_us)
for ((i = 0; i < COUNT; i++)); do
    mr run -d --name "load$i" "$image" sleep 100000 >"$work/out/$i" 2>"$work/out/$i.err" &
done
rcs=0
for job in $(jobs -p); do wait "$job" || rcs=$((rcs + 1)); done
t1=$(now_us)
up_us=$((t1 - t0))
((rcs == 0)) || fail "$rcs of $COUNT runs failed: $(cat "$work"/out/*.err | sort | uniq -c | head -5)"

ids=$(cat "$work"/out/[0-9]* | sort)
n_ids=$(grep -c . <<<"$ids" || true)
n_distinct_ids=$(sort -u <<<"$ids" | grep -c . || true)
n_ps=$(mr ps -a -q | wc -l)
inspect_bad=0
: >"$work/inspect"
for id in $ids; do
    if ! mr inspect "$id" | jq -er '.[0] | [.Name, .NetworkSettings.IPAddress, .State.Status] | @tsv' >>"$work/inspect" 2>/dev/null; then
        inspect_bad=$((inspect_bad + 1))
    fi
done
n_names=$(cut -f1 "$work/inspect" | sort -u | grep -c . || true)
n_addrs=$(cut -f2 "$work/inspect" | grep -F "${SUBNET%.*}." | sort -u | grep -c . || true)
n_running=$(cut -f3 "$work/inspect" | grep -c '^running$' || true)
n_veths=$(ip -o link show master "$BRIDGE" | wc -l)

note "removing them all at once"
t0=$(now_us)
for id in $ids; do mr rm -f "$id" >/dev/null 2>>"$work/rm.err" & done
rm_failed=0
for job in $(jobs -p); do wait "$job" || rm_failed=$((rm_failed + 1)); done
t1=$(now_us)
rm_us=$((t1 - t0))
((rm_failed == 0)) || fail "$rm_failed rm -f failed: $(sort "$work/rm.err" | uniq -c | head -5)"

echo "load: $COUNT concurrent run -d on bridge $BRIDGE ($SUBNET): all returned after $(secs $up_us) s ($((up_us / COUNT / 1000)) ms per container of wall time)"
echo "load: ids $n_ids ($n_distinct_ids distinct), names $n_names distinct, addresses $n_addrs distinct in the subnet, running $n_running, veths on the bridge $n_veths, ps -a lists $n_ps, inspect failures $inspect_bad"
echo "load: $COUNT concurrent rm -f: $(secs $rm_us) s"
for v in n_ids n_distinct_ids n_names n_addrs n_running n_veths n_ps; do
    ((${!v} == COUNT)) || fail "$v is ${!v}, not $COUNT"
done
((inspect_bad == 0)) || fail "$inspect_bad inspect did not parse"

[[ -z "$(mr ps -a -q)" ]] || fail "ps -a not empty after rm -f"
left=$(mr network inspect bridge | jq '.[0].Containers | length')
[[ "$left" == 0 ]] || fail "$left endpoints left on the bridge network"
mr network rm bridge >/dev/null || fail "network rm bridge failed"
sleep 0.5
n=$(mounts_under | wc -l); ((n == 0)) || fail "$n mounts left"
n=$(count_cgroups_of <(echo "$ids")); ((n == 0)) || fail "$n cgroups left"
n=$(count_links_of <(echo "$ids")); ((n == 0)) || fail "$n veths left"
ip link show "$BRIDGE" >/dev/null 2>&1 && fail "bridge $BRIDGE left"
n=$(count_subnet_rules); ((n == 0)) || fail "$n iptables rules left"
n=$(procs_of_work | wc -l); ((n == 0)) || fail "$n processes left"
n=$(find "$store/containers" "$store/snapshots" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l); ((n == 0)) || fail "$n container/snapshot dirs left"
if ((failures)); then
    echo "load: $failures check(s) failed"
    exit 1
fi
echo "load: all distinct, every record parsed, nothing left"
