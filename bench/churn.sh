#!/usr/bin/env bash
# Churn: N create/start/wait/delete cycles of a busybox `true` bundle through the OCI runtime face, then
# ENGINE_N `run --rm IMG true` cycles through the engine (on its default bridge network), and what the host
# looks like before and after: mounts, cgroup directories, links, network namespaces, iptables rules, stray
# processes, and the open descriptors of the runtime's own long-lived processes.
#
#   bench/churn.sh                     # N=1000 OCI cycles, ENGINE_N=200 engine cycles
#   N=100 ENGINE_N=0 bench/churn.sh    # OCI face only
#   MYRUNTIME=/path/to/myruntime bench/churn.sh
#
# "Open descriptors of the runtime": the OCI face is a short-lived CLI, so what can leak is what it leaves in
# the processes that outlive it: the container's init between create and start (a copy of the runtime
# waiting on the exec FIFO) is sampled on every cycle and must hold the same descriptors on the last cycle as
# on the first. On the engine face the long-lived process is the per-container monitor: one `run -d sleep`
# container stays up during the whole engine churn (its monitor's descriptors are counted before and after),
# and the monitor of every churned `run --rm` container must hold the same count (sampled while it runs).
#
# Host-wide counts are printed for information (other work on the host may change them); the verdict is on
# what is ours: mounts under the work dir, cgroups named after our ids, our bridge's ports, links and netns
# named after our ids, rules of our subnet, processes naming the work dir. Exit status 1 if any of ours is
# left or a descriptor count grew. Everything lives in one temp dir removed on exit (also on Ctrl-C).
# Must run as root.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${N:-1000}"
ENGINE_N="${ENGINE_N:-200}"
MYRUNTIME="${MYRUNTIME:-$repo_root/bin/myruntime}"
ROOTFS="${ROOTFS:-$repo_root/test-images/busybox/rootfs}"
BRIDGE="${BRIDGE:-mrchurn0}"
SUBNET="${SUBNET:-10.231.7.0/24}"

bench_name=churn
bench_die_status=2
# shellcheck source=bench/lib/common.sh
. "$repo_root/bench/lib/common.sh"

[[ "$N" =~ ^[0-9]+$ ]] || die "N must be a non-negative integer (got '$N')"
[[ "$ENGINE_N" =~ ^[0-9]+$ ]] || die "ENGINE_N must be a non-negative integer (got '$ENGINE_N')"
need root myruntime jq bash5

bench_make_work mrchurn
tag="ch$$"
oci_root="$work/oci"
current=""

oci() { "$MYRUNTIME" --root "$oci_root" "$@"; }

# On exit, before the store and the work dir go: the OCI container of the cycle under way.
cleanup_oci() { [[ -n "$current" ]] && oci delete -f "$current" >/dev/null 2>&1; }
bench_traps cleanup_oci

# Host-wide figures, one "name=value" per line.
host_figures() {
    echo "mounts=$(wc -l </proc/self/mountinfo)"
    echo "cgroups=$(find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | wc -l)"
    echo "links=$(ip -o link | wc -l)"
    echo "netns=$(ip netns list 2>/dev/null | wc -l)"
    echo "iptables_myruntime=$( { iptables-save 2>/dev/null || true; } | grep -c myruntime || true)"
    echo "processes=$(ls -d /proc/[0-9]* 2>/dev/null | wc -l)"
}

# What is ours: must be zero after the churn.
own_figures() {
    echo "own_mounts=$(mounts_under | wc -l)"
    echo "own_cgroups=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name "myruntime-*$tag*" 2>/dev/null | wc -l)"
    # Engine containers are named by id: their short ids (the hostname each printed) are kept in $work/ids.
    echo "own_engine_cgroups=$(count_cgroups_of "$work/ids")"
    echo "own_engine_links=$(count_links_of "$work/ids")"
    echo "own_bridge_ports=$(ip -o link show master "$BRIDGE" 2>/dev/null | wc -l)"
    echo "own_processes=$(procs_of_work | wc -l)"
    echo "own_oci_state=$(find "$oci_root" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
    echo "own_iptables_rules=$(count_subnet_rules)"
}

print_compare() { # TITLE BEFORE AFTER
    local title="$1" before="$2" after="$3"
    echo "$title"
    paste -d' ' <(echo "$before") <(echo "$after") | while read -r b a; do
        printf '  %-22s before %-7s after %s\n' "${b%%=*}" "${b#*=}" "${a#*=}"
    done
}

failures=0
fail() { echo "churn: LEAK: $*"; failures=$((failures + 1)); }

# The bundle: busybox rootfs, process /bin/true, no terminal.
ensure_rootfs
mkdir -p "$work/bundle" "$oci_root"
"$MYRUNTIME" spec --bundle "$work/bundle" >/dev/null 2>&1 || die "myruntime spec failed"
jq --arg r "$ROOTFS" '.root.path = $r | .process.args = ["/bin/true"] | .process.terminal = false' \
    "$work/bundle/config.json" >"$work/bundle/c.json"
mv "$work/bundle/c.json" "$work/bundle/config.json"

# A never-matching first line, so that an empty id list matches nothing.
echo "no-such-container-id" >"$work/ids"
host_before="$(host_figures)"
own_before="$(own_figures)"

# 1. OCI face.
if ((N > 0)); then
    note "OCI face: $N create/start/wait/delete cycles"
    first_fds="" last_fds="" first_fd_list="" last_fd_list=""
    t0=$(now_us)
    for ((i = 1; i <= N; i++)); do
        id="$tag-$i"
        current="$id"
        oci create --bundle "$work/bundle" "$id" </dev/null >/dev/null 2>"$work/err" || die "create $id failed: $(cat "$work/err")"
        pid=$(oci state "$id" | jq -r .pid)
        fds=$(fd_count "$pid")
        list=$(ls -l "/proc/$pid/fd" 2>/dev/null | awk 'NR>1{print $9"->"$11}' | sed "s/$id/ID/g" | tr '\n' ' ')
        [[ -z "$first_fds" ]] && { first_fds=$fds; first_fd_list=$list; }
        last_fds=$fds last_fd_list=$list
        oci start "$id" 2>"$work/err" || die "start $id failed: $(cat "$work/err")"
        while [[ "$(oci state "$id" | jq -r .status)" != stopped ]]; do sleep 0.005; done
        oci delete "$id" 2>"$work/err" || die "delete $id failed: $(cat "$work/err")"
        current=""
        ((i % 100 == 0)) && note "  $i cycles"
    done
    t1=$(now_us)
    oci_us=$((t1 - t0))
    echo "OCI face: $N cycles in $(secs $oci_us) s, $((oci_us / N / 1000)).$(printf '%01d' $((oci_us / N / 100 % 10))) ms/cycle (create + start + state polls + delete)"
    echo "  descriptors of the created container's init: cycle 1: $first_fds ($first_fd_list), cycle $N: $last_fds ($last_fd_list)"
    [[ "$first_fds" == "$last_fds" ]] || fail "the created init held $first_fds descriptors on cycle 1, $last_fds on cycle $N"
fi

# 2. Engine face.
if ((ENGINE_N > 0)); then
    note "engine face: $ENGINE_N run --rm cycles on bridge $BRIDGE ($SUBNET)"
    image="localhost/mrchurn:latest"
    import_rootfs "$image"
    long_id=$(mr run -d --name "$tag-long" "$image" sleep 100000) || die "run -d failed"
    echo "${long_id:0:12}" >>"$work/ids"
    long_pid=$(mr inspect "$long_id" | jq -r '.[0].State.Pid')
    monitor=$(awk '/^PPid:/{print $2}' "/proc/$long_pid/status")
    mon_fds_before=$(fd_count "$monitor")
    churn_mon_fds=""
    t0=$(now_us)
    for ((i = 1; i <= ENGINE_N; i++)); do
        # A short sleep so that the monitor can be sampled while it runs.
        if ((i == 1 || i == ENGINE_N)); then
            mr run -d --rm --name "$tag-e$i" "$image" sleep 1 >"$work/id" 2>"$work/err" || die "run -d --rm failed: $(cat "$work/err")"
            cpid=$(mr inspect "$(cat "$work/id")" | jq -r '.[0].State.Pid')
            cmon=$(awk '/^PPid:/{print $2}' "/proc/$cpid/status")
            cut -c1-12 "$work/id" >>"$work/ids"
            churn_mon_fds+="cycle $i: $(fd_count "$cmon") "
            while [[ -d "$store/containers/$(cat "$work/id")" ]]; do sleep 0.05; done
        else
            mr run --rm --name "$tag-e$i" "$image" hostname >>"$work/ids" 2>"$work/err" || die "run --rm failed: $(cat "$work/err")"
        fi
        ((i % 50 == 0)) && note "  $i cycles"
    done
    t1=$(now_us)
    eng_us=$((t1 - t0))
    mon_fds_after=$(fd_count "$monitor")
    echo "engine face: $ENGINE_N run --rm cycles in $(secs $eng_us) s, $((eng_us / ENGINE_N / 1000)) ms/cycle (two of them run -d --rm sleep 1)"
    echo "  descriptors of a long-lived container's monitor: before $mon_fds_before, after $mon_fds_after; of churned monitors: $churn_mon_fds"
    [[ "$mon_fds_before" == "$mon_fds_after" ]] || fail "the long-lived monitor went from $mon_fds_before to $mon_fds_after descriptors"
    read -r a b <<<"$(echo "$churn_mon_fds" | grep -o ': [0-9]*' | tr -d ': ' | tr '\n' ' ')"
    [[ "$a" == "$b" ]] || fail "a churned container's monitor held $a descriptors on the first cycle, $b on the last"
    [[ "$(mr ps -a -q | wc -l)" == 1 ]] || fail "ps -a lists $(mr ps -a -q | wc -l) containers, not the 1 long-lived one"
    mr rm -f "$long_id" >/dev/null || fail "rm -f of the long-lived container failed"
    mr network rm bridge >/dev/null || fail "network rm bridge failed"
    ip link show "$BRIDGE" >/dev/null 2>&1 && fail "bridge $BRIDGE left"
fi

host_after="$(host_figures)"
own_after="$(own_figures)"
print_compare "host (informative: other work on this host changes these too):" "$host_before" "$host_after"
print_compare "ours (must be back to before):" "$own_before" "$own_after"
while read -r b a; do
    [[ "$b" == "$a" ]] || fail "${b%%=*}: before ${b#*=}, after ${a#*=}"
done < <(paste -d' ' <(echo "$own_before") <(echo "$own_after"))
leftover=$(find "$store" -mindepth 2 -maxdepth 2 \( -path "$store/containers/*" -o -path "$store/snapshots/*" \) 2>/dev/null | wc -l)
((leftover == 0)) || fail "$leftover container or snapshot dirs left in the store"
if ((failures)); then
    echo "churn: $failures leak(s) found"
    exit 1
fi
echo "churn: nothing leaked"
