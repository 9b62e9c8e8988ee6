#!/usr/bin/env bash
# Engine benchmark: `myruntime run --rm IMG true` vs `podman run --rm IMG true` from the same busybox
# image, then the cost of `ps` and `ps -a` with 100 detached containers (and of starting and removing them).
#
#   bench/run.sh                       # N=20 timed runs per engine, 100 containers for ps
#   N=50 PS_COUNT=50 bench/run.sh
#   MYRUNTIME=/path/to/myruntime bench/run.sh
#
# The image is test-images/busybox/rootfs (made offline by scripts/mkimage-busybox.sh if missing), tarred
# once and imported by both engines. Both run with --network none (podman's bridge passes no traffic on some
# hosts), and myruntime a second time on its default bridge network (its own bridge mrbench0 on
# 10.199.0.0/24, removed on exit) to report what network setup adds to a start. Both keep everything in one temp dir removed on exit: myruntime with its own
# --storage-root and --runroot, podman with private containers.conf, storage.conf and registries.conf
# (graphroot and runroot in the temp dir, runtime runc, cgroupfs, events to a file). Nothing in /etc and
# neither engine's default store is touched. If podman cannot run here, myruntime is measured alone.
# Must run as root.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${N:-20}"
PS_COUNT="${PS_COUNT:-100}"
PS_N="${PS_N:-10}"
WARMUP=2
MYRUNTIME="${MYRUNTIME:-$repo_root/bin/myruntime}"
ROOTFS="${ROOTFS:-$repo_root/test-images/busybox/rootfs}"

bench_name=run-bench
# shellcheck source=bench/lib/common.sh
. "$repo_root/bench/lib/common.sh"

[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer (got '$N')"
[[ "$PS_COUNT" =~ ^[1-9][0-9]*$ ]] || die "PS_COUNT must be a positive integer (got '$PS_COUNT')"
[[ "$PS_N" =~ ^[1-9][0-9]*$ ]] || die "PS_N must be a positive integer (got '$PS_N')"
need root myruntime bash5

podman_note=""
if ! command -v podman >/dev/null || ! command -v runc >/dev/null; then
    note "installing podman and runc (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update && apt-get install -y --no-install-recommends podman runc conmon; } >/dev/null 2>&1 ||
        podman_note="podman: skipped (could not install podman/runc with apt-get)"
fi

# Short: podman refuses a runroot path longer than 50 characters.
bench_make_work mrb-run
store="$work/mr/store"
runroot="$work/mr/run"
BRIDGE=mrbench0
SUBNET=10.199.0.0/24
podman_ok=0

pm() {
    CONTAINERS_CONF="$work/pm/containers.conf" CONTAINERS_STORAGE_CONF="$work/pm/storage.conf" \
        CONTAINERS_REGISTRIES_CONF="$work/pm/registries.conf" podman "$@"
}

# On exit, before myruntime's store and the work dir go: podman's containers and store.
cleanup_podman() {
    if ((podman_ok)) || [[ -f "$work/pm/storage.conf" ]]; then
        pm rm -a -f -t 0 >/dev/null 2>&1
        pm system reset -f >/dev/null 2>&1
    fi
}
bench_traps cleanup_podman

# 1. The image: the busybox rootfs as a tarball, imported by both engines.
ensure_rootfs
image="localhost/mrb-busybox:latest"
import_rootfs "$image"

mkdir -p "$work/pm"
cat > "$work/pm/containers.conf" <<EOF
[containers]
# Below this host's hard limits: podman's default nofile of 1048576 fails without CAP_SYS_RESOURCE.
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$work/pm/events.log"
tmp_dir = "$work/pm/tmp"
volume_path = "$work/pm/volumes"

[network]
network_config_dir = "$work/pm/net"
EOF
write_storage_conf() { # write_storage_conf DRIVER
    cat > "$work/pm/storage.conf" <<EOF
[storage]
driver = "$1"
graphroot = "$work/pm/graph"
runroot = "$work/pm/run"
EOF
}
echo 'unqualified-search-registries = []' > "$work/pm/registries.conf"

podman_driver=""
if [[ -z "$podman_note" ]]; then
    for driver in overlay vfs; do
        write_storage_conf "$driver"
        if pm import -q "$work/rootfs.tar" "$image" >/dev/null 2>"$work/pm-err" &&
            pm run --rm --network none "$image" true >/dev/null 2>>"$work/pm-err"; then
            podman_driver="$driver"
            podman_ok=1
            break
        fi
        pm system reset -f >/dev/null 2>&1 || true
        umount_under "$work/pm"
    done
    if ((!podman_ok)); then
        why="$(grep -v '^[[:space:]]*$' "$work/pm-err" | tail -n 1 || true)"
        podman_note="podman: skipped (probe run failed with overlay and vfs: ${why:-no output})"
    fi
fi
[[ -n "$podman_note" ]] && note "$podman_note"

# 2. run --rm of `true`, engines alternated every round (rotating order) after $WARMUP warm-up runs each.
engines=(myruntime myruntime-net)
((podman_ok)) && engines+=(podman podman-myrt)
count=${#engines[@]}
run_one() { # run_one ENGINE -> sets elapsed_us
    local t0 t1 rc=0
    t0="$(now_us)"
    case "$1" in
        myruntime) mr run --rm --network none "$image" true </dev/null >"$work/out" 2>&1 || rc=$? ;;
        myruntime-net) mr run --rm "$image" true </dev/null >"$work/out" 2>&1 || rc=$? ;;
        podman) pm run --rm --network none "$image" true </dev/null >"$work/out" 2>&1 || rc=$? ;;
        podman-myrt) pm --runtime "$MYRUNTIME" run --rm --network none "$image" true </dev/null >"$work/out" 2>&1 || rc=$? ;;
    esac
    t1="$(now_us)"
    elapsed_us=$((t1 - t0))
    if [[ $rc -ne 0 ]]; then
        echo "run-bench: '$1 run --rm' failed with exit code $rc:" >&2
        sed 's/^/  | /' "$work/out" >&2
        exit 1
    fi
}
for engine in "${engines[@]}"; do
    for ((i = 0; i < WARMUP; i++)); do run_one "$engine"; done
    : > "$work/times-run-$engine"
done
note "$N timed 'run --rm' per engine: ${engines[*]}"
for ((i = 0; i < N; i++)); do
    for ((j = 0; j < count; j++)); do
        engine="${engines[$(((i + j) % count))]}"
        run_one "$engine"
        echo "$elapsed_us" >> "$work/times-run-$engine"
    done
done

# 3. ps with PS_COUNT detached containers: time to start them, ps and ps -a (PS_N times each), rm -f of all.
# timed FILE CMD... -> runs CMD (output to $work/out), appends its time in us to FILE.
timed() {
    local file="$1" t0 t1 rc=0
    shift
    t0="$(now_us)"
    "$@" </dev/null >"$work/out" 2>&1 || rc=$?
    t1="$(now_us)"
    if [[ $rc -ne 0 ]]; then
        echo "run-bench: '$*' failed with exit code $rc:" >&2
        sed 's/^/  | /' "$work/out" | tail -n 20 >&2
        exit 1
    fi
    echo $((t1 - t0)) >> "$file"
}
listed() { # listed ENGINE -> number of containers `ps -a -q` lists
    case "$1" in
        myruntime) mr ps -a -q | grep -c . || true ;;
        podman) pm ps -a -q | grep -c . || true ;;
    esac
}
ps_phase() { # ps_phase ENGINE
    local engine="$1" cmd=mr names=() i
    [[ "$engine" == podman ]] && cmd=pm
    note "$engine: starting $PS_COUNT detached containers"
    : > "$work/times-start-$engine"
    for ((i = 1; i <= PS_COUNT; i++)); do
        names+=("mrb-$engine-$i")
        timed "$work/times-start-$engine" $cmd run -d --network none --name "mrb-$engine-$i" "$image" sleep 1000
    done
    local running
    running="$($cmd ps -q | grep -c . || true)"
    [[ "$running" -eq "$PS_COUNT" ]] || die "$engine ps lists $running running containers, expected $PS_COUNT"
    : > "$work/times-ps-$engine"
    : > "$work/times-psa-$engine"
    for ((i = 0; i < PS_N; i++)); do
        timed "$work/times-ps-$engine" $cmd ps
        timed "$work/times-psa-$engine" $cmd ps -a
    done
    note "$engine: removing them (rm -f)"
    : > "$work/times-rm-$engine"
    if [[ "$engine" == podman ]]; then
        timed "$work/times-rm-$engine" pm rm -f -t 0 "${names[@]}"
    else
        timed "$work/times-rm-$engine" mr rm -f "${names[@]}"
    fi
    local left
    left="$(listed "$engine")"
    [[ "$left" -eq 0 ]] || die "$engine still lists $left containers after rm -f"
    # Nothing of them may stay: mounts under the engine's dir, processes naming it. Waits up to 10 s (a
    # monitor or conmon may still be exiting); podman's overlay driver keeps its home, graph/overlay,
    # bind-mounted on itself until the store goes.
    local dir="$work/mr" t0 procs mounts
    [[ "$engine" == podman ]] && dir="$work/pm"
    t0="$(now_us)"
    local checks=0
    while :; do
        checks=$((checks + 1))
        mounts="$(mounts_under "$dir" | grep -vx "$work/pm/graph/overlay" || true)"
        procs="$(procs_of_work "$dir")"
        [[ -z "$mounts" && -z "$procs" ]] && break
        if (($(now_us) - t0 > 10000000)); then
            [[ -n "$mounts" ]] && sed 's/^/  mount: /' <<<"$mounts" >&2
            [[ -n "$procs" ]] && for p in $procs; do echo "  process $p: $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)" >&2; done
            die "$engine left $(grep -c . <<<"$mounts") mounts and $(wc -w <<<"$procs") processes 10 s after rm -f of all"
        fi
        sleep 0.1
    done
    clean[$engine]="at once"
    ((checks == 1)) || clean[$engine]="$((($(now_us) - t0) / 1000)) ms after rm returned"
}
declare -A clean
ps_phase myruntime
((podman_ok)) && ps_phase podman

leftover_note="after rm -f of all: no container, mount or process left (myruntime: ${clean[myruntime]}"
((podman_ok)) && leftover_note+=", podman: ${clean[podman]}"
leftover_note+=")"

# stats FILE -> "median p90 min" in ms (p90 = nearest rank).
stats() {
    sort -n "$1" | awk '
        { v[NR] = $1 }
        END {
            n = NR
            med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
            r = int(0.9 * n); if (r < 0.9 * n) r++; if (r < 1) r = 1
            printf "%.1f %.1f %.1f\n", med / 1000, v[r] / 1000, v[1] / 1000
        }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }

podman_version="$( ((podman_ok)) && podman --version | awk '{print $3}' || echo -)"
echo
echo "engine 'run --rm --network none IMG true', busybox image, N=$N per engine after $WARMUP warm-ups"
echo "(myruntime-net: the same on myruntime's default bridge network: veth, address, route, lease)"
((podman_ok)) && echo "(podman: runc, cgroupfs, $podman_driver storage, --network none; podman-myrt: the same podman with myruntime as its OCI runtime)"
printf '%-16s %6s %11s %9s %9s\n' engine runs median_ms p90_ms min_ms
declare -A med p90
for engine in "${engines[@]}"; do
    read -r m p mn < <(stats "$work/times-run-$engine")
    med[$engine]=$m
    p90[$engine]=$p
    label="$engine"
    [[ "$engine" == podman ]] && label="podman $podman_version"
    printf '%-16s %6d %11s %9s %9s\n' "$label" "$(wc -l < "$work/times-run-$engine")" "$m" "$p" "$mn"
done
echo "network setup adds: median $(awk -v a="${med[myruntime-net]}" -v b="${med[myruntime]}" 'BEGIN { printf "%.1f", a - b }') ms, p90 $(awk -v a="${p90[myruntime-net]}" -v b="${p90[myruntime]}" 'BEGIN { printf "%.1f", a - b }') ms (bridge vs none, target <= 10 ms)"
if ((podman_ok)); then
    echo "ratio myruntime/podman: median $(ratio "${med[myruntime]}" "${med[podman]}")x, p90 $(ratio "${p90[myruntime]}" "${p90[podman]}")x (target <= 0.25)"
    echo "podman's runtime myruntime vs runc: median $(ratio "${med[podman-myrt]}" "${med[podman]}")x, p90 $(ratio "${p90[podman-myrt]}" "${p90[podman]}")x"
else
    echo "$podman_note"
fi

echo
echo "$PS_COUNT detached 'sleep 1000' containers: 'ps' and 'ps -a' median of $PS_N, start one 'run -d' median, rm -f of all"
printf '%-16s %9s %9s %11s %11s %13s\n' engine ps_ms ps_p90 ps_a_ms run_d_ms rm_all_ms
for engine in "${engines[@]}"; do
    [[ "$engine" == myruntime-net || "$engine" == podman-myrt ]] && continue # the ps phase: --network none, podman with runc
    read -r pm_ p_ _ < <(stats "$work/times-ps-$engine")
    read -r pa_ _ _ < <(stats "$work/times-psa-$engine")
    read -r st_ _ _ < <(stats "$work/times-start-$engine")
    read -r rm_ _ _ < <(stats "$work/times-rm-$engine")
    med[ps-$engine]=$pm_
    med[psa-$engine]=$pa_
    med[start-$engine]=$st_
    label="$engine"
    [[ "$engine" == podman ]] && label="podman $podman_version"
    printf '%-16s %9s %9s %11s %11s %13s\n' "$label" "$pm_" "$p_" "$pa_" "$st_" "$rm_"
done
if ((podman_ok)); then
    echo "ratio myruntime/podman: ps $(ratio "${med[ps-myruntime]}" "${med[ps-podman]}")x, ps -a $(ratio "${med[psa-myruntime]}" "${med[psa-podman]}")x, run -d $(ratio "${med[start-myruntime]}" "${med[start-podman]}")x"
else
    echo "$podman_note"
fi
echo "$leftover_note"
