#!/usr/bin/env bash
# Fault injection: the engine CLI killed with SIGKILL at a random point of `run`, `create`, `start`, `rm` or
# `pull`, TRIALS times, then the next commands must reconcile, and at the end nothing may be left.
#
#   bench/faults.sh                         # TRIALS=100, a random seed (printed)
#   FAULT_SEED=1234 TRIALS=300 bench/faults.sh   # the same verbs and delays again
#   MAX_DELAY_MS=300 bench/faults.sh        # kill delay drawn from 0..MAX_DELAY_MS (default 200)
#   MYRUNTIME=/path/to/myruntime bench/faults.sh
#
# A trial draws a verb and a delay from bash's RANDOM seeded with FAULT_SEED (so a seed replays the same
# sequence; what the CLI had reached after that delay depends on the machine's speed), prepares what the
# verb needs (an image for run/create, a created container for start, a running one for rm, no image for
# pull), starts the CLI, kills it by PID with SIGKILL after the delay, and then checks:
#   - `ps -a --format json` and `images` succeed, and `inspect` of every container listed parses;
#   - an image that `images` lists is complete: `run --rm IMG true` works; one that is not listed pulls again;
#   - a container listed in state created or exited starts, a running one is running, and `rm -f` of every
#     container succeeds and leaves `ps -a` empty.
# At the end (after `network rm bridge`): no mounts under the work dir, no cgroups, veths or netns of any
# container id seen, no iptables rule of our subnet, no process naming the work dir, nothing in the store's
# tmp/, no container or snapshot dir. The pulls go to Debian's docker-registry on a loopback port with a
# private config (its storage in the work dir), holding the busybox test rootfs pushed with skopeo.
# Everything lives in one temp dir removed on exit (also on Ctrl-C). Exit status 1 if anything was found.
# Must run as root.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRIALS="${TRIALS:-100}"
FAULT_SEED="${FAULT_SEED:-$((RANDOM * 32768 + RANDOM))}"
MAX_DELAY_MS="${MAX_DELAY_MS:-200}"
MYRUNTIME="${MYRUNTIME:-$repo_root/bin/myruntime}"
ROOTFS="${ROOTFS:-$repo_root/test-images/busybox/rootfs}"
BRIDGE="${BRIDGE:-mrfault0}"
SUBNET="${SUBNET:-10.232.7.0/24}"
REGISTRY="${REGISTRY:-/usr/bin/docker-registry}"

bench_name=faults
bench_die_status=2
# shellcheck source=bench/lib/common.sh
. "$repo_root/bench/lib/common.sh"

[[ "$TRIALS" =~ ^[1-9][0-9]*$ ]] || die "TRIALS must be a positive integer (got '$TRIALS')"
[[ "$FAULT_SEED" =~ ^[0-9]+$ ]] || die "FAULT_SEED must be a non-negative integer (got '$FAULT_SEED')"
[[ "$MAX_DELAY_MS" =~ ^[0-9]+$ ]] || die "MAX_DELAY_MS must be a non-negative integer (got '$MAX_DELAY_MS')"
need root myruntime jq
[[ -x "$REGISTRY" ]] || die "docker-registry not found (apt-get install docker-registry)"
command -v skopeo >/dev/null || die "skopeo not found (apt-get install skopeo)"

bench_make_work mrfaults
registry_pid=""
victim=""
# The engine's credentials: private (none), for mr and the killed CLI alike.
export DOCKER_CONFIG="$work/docker-config" MYRUNTIME_AUTH_FILE="$work/auth.json"

# On exit, before the store and the work dir go: the CLI under test and the registry.
cleanup_faults() {
    [[ -n "$victim" ]] && kill -9 "$victim" 2>/dev/null
    [[ -n "$registry_pid" ]] && kill -9 "$registry_pid" 2>/dev/null
}
bench_traps cleanup_faults

findings=()
find_() { findings+=("trial $trial ($verb, ${delay} ms): $*"); echo "faults: FOUND: trial $trial ($verb, ${delay} ms): $*"; }

# 1. A registry on a free loopback port, holding the busybox rootfs as test/busybox:latest.
ensure_rootfs
port=""
for ((p = 41000 + $$ % 4000; p < 49000; p += 7)); do
    if ! ss -Htln "sport = :$p" | grep -q .; then port=$p; break; fi
done
[[ -n "$port" ]] || die "no free loopback port"
mkdir -p "$work/registry"
cat >"$work/registry/config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
EOF
"$REGISTRY" serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
registry_pid=$!
disown "$registry_pid"
for ((i = 0; i < 100; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done
image="127.0.0.1:$port/test/busybox:latest"
tar_rootfs
# The image's archive, made with a throwaway store of our own.
"$MYRUNTIME" --storage-root "$work/stage" --runroot "$work/stage-run" import "$work/rootfs.tar" localhost/stage:latest >/dev/null ||
    die "myruntime import failed"
"$MYRUNTIME" --storage-root "$work/stage" --runroot "$work/stage-run" save --format oci-archive -o "$work/image.tar" localhost/stage:latest ||
    die "myruntime save failed"
rm -rf "$work/stage" "$work/stage-run"
skopeo --insecure-policy copy -q --dest-tls-verify=false "oci-archive:$work/image.tar" "docker://$image" >/dev/null ||
    die "skopeo push to the registry failed"
mkdir -p "$store" "$runroot"
mr pull -q "$image" >/dev/null 2>&1 || mr pull "$image" >/dev/null || die "first pull failed"

cgroups_before="$(find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name 'myruntime-*' 2>/dev/null | sort)"
seen_ids="$work/seen-ids"
echo "no-such-container-id" >"$seen_ids"

# Each listed container: recorded as seen, inspect parses; created/exited start; all removed with rm -f.
reconcile() {
    local ps ids id status
    ps="$(mr ps -a --no-trunc --format json 2>"$work/err")" || { find_ "ps -a failed: $(cat "$work/err")"; return; }
    if [[ -n "$ps" ]] && ! jq -e . >/dev/null 2>&1 <<<"$ps"; then find_ "ps -a --format json does not parse: $ps"; fi
    mapfile -t ids < <(mr ps -a -q --no-trunc 2>/dev/null)
    for id in "${ids[@]}"; do
        echo "$id" >>"$seen_ids"
        if ! status="$(mr inspect "$id" 2>"$work/err" | jq -r '.[0].State.Status')"; then
            find_ "inspect $id does not parse: $(cat "$work/err")"
            continue
        fi
        case "$status" in
            created | exited)
                mr start "$id" >/dev/null 2>"$work/err" || find_ "container $id listed as $status does not start: $(cat "$work/err")"
                counts[start_after]=$((counts[start_after] + 1)) ;;
            running) ;;
            *) find_ "container $id in state '$status'" ;;
        esac
        mr rm -f "$id" >/dev/null 2>"$work/err" || find_ "rm -f $id failed: $(cat "$work/err")"
    done
    [[ -z "$(mr ps -a -q 2>/dev/null)" ]] || find_ "ps -a not empty after rm -f of everything"
    local imgs
    imgs="$(mr images 2>"$work/err")" || { find_ "images failed: $(cat "$work/err")"; return; }
    if grep -q "test/busybox" <<<"$imgs"; then
        mr run --rm --network none "$image" true >/dev/null 2>"$work/err" ||
            find_ "listed image is not runnable: $(cat "$work/err")"
    else
        counts[repull]=$((counts[repull] + 1))
        mr pull "$image" >/dev/null 2>"$work/err" || find_ "pull after an interrupted pull failed: $(cat "$work/err")"
    fi
}

declare -A counts=([run]=0 [create]=0 [start]=0 [rm]=0 [pull]=0 [exited_first]=0 [start_after]=0 [repull]=0)
verbs=(run create start rm pull)
RANDOM=$FAULT_SEED
echo "faults: seed $FAULT_SEED (FAULT_SEED=$FAULT_SEED replays it), $TRIALS trials, kill delay 0..$MAX_DELAY_MS ms, registry 127.0.0.1:$port"
t0=$SECONDS
for ((trial = 1; trial <= TRIALS; trial++)); do
    verb=${verbs[RANDOM % ${#verbs[@]}]}
    delay=$((RANDOM % (MAX_DELAY_MS + 1)))
    counts[$verb]=$((counts[$verb] + 1))
    args=()
    case "$verb" in
        run) args=(run -d "$image" sleep 1000) ;;
        create) args=(create "$image" sleep 1000) ;;
        start)
            id=$(mr create "$image" sleep 1000) || die "trial $trial: setup create failed"
            echo "$id" >>"$seen_ids"
            args=(start "$id") ;;
        rm)
            id=$(mr run -d "$image" sleep 1000) || die "trial $trial: setup run -d failed"
            echo "$id" >>"$seen_ids"
            args=(rm -f "$id") ;;
        pull)
            mr rmi "$image" >/dev/null 2>&1 || true
            args=(pull "$image") ;;
    esac
    # (not through mr: $! must be the CLI itself, not a subshell running a function)
    MYRUNTIME_BRIDGE="$BRIDGE" MYRUNTIME_BRIDGE_SUBNET="$SUBNET" "$MYRUNTIME" --storage-root "$store" --runroot "$runroot" "${args[@]}" \
        >"$work/out" 2>&1 </dev/null &
    victim=$!
    sleep "$((delay / 1000)).$(printf '%03d' $((delay % 1000)))"
    if kill -9 "$victim" 2>/dev/null; then :; else counts[exited_first]=$((counts[exited_first] + 1)); fi
    wait "$victim" 2>/dev/null || true
    victim=""
    grep -oE '^[0-9a-f]{64}$' "$work/out" >>"$seen_ids" || true
    reconcile
    ((trial % 10 == 0)) && note "  $trial trials, ${#findings[@]} finding(s)"
done
elapsed=$((SECONDS - t0))

# 2. The end: nothing of ours may be left.
mr network rm bridge >/dev/null 2>"$work/err" || { trial=end verb=- delay=-; find_ "network rm bridge failed: $(cat "$work/err")"; }
trial=end verb=- delay=-
sort -u "$seen_ids" -o "$seen_ids"
sleep 0.5
n=$(mounts_under | wc -l); ((n == 0)) || find_ "$n mounts left under the work dir: $(mounts_under | tr '\n' ' ')"
cgroups_after="$(find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name 'myruntime-*' 2>/dev/null | sort)"
left=$(comm -13 <(echo "$cgroups_before") <(echo "$cgroups_after") | grep -Ff <(sed 's/^/myruntime-/' "$seen_ids") || true)
[[ -z "$left" ]] || find_ "cgroups left: $(echo "$left" | tr '\n' ' ')"
left=$(ip -o link | grep -Ff <(cut -c1-11 "$seen_ids") || true)
[[ -z "$left" ]] || find_ "links left: $left"
ip link show "$BRIDGE" >/dev/null 2>&1 && find_ "bridge $BRIDGE left"
n=$(count_subnet_rules)
((n == 0)) || find_ "$n iptables rules of $SUBNET left"
left=$(for p in $(procs_of_work); do [[ "$p" == "$registry_pid" ]] || echo "$p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"; done)
[[ -z "$left" ]] || find_ "processes left: $left"
n=$(find "$store/tmp" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l); ((n == 0)) || find_ "$n entries left in the store's tmp/"
n=$(find "$store/containers" "$store/snapshots" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l); ((n == 0)) || find_ "$n container/snapshot dirs left"
n=$(find "$runroot" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l)
left=$(find "$runroot" -mindepth 1 -maxdepth 1 2>/dev/null | grep -Ff "$seen_ids" || true)
[[ -z "$left" ]] || find_ "runtime state left: $left"

echo "faults: seed $FAULT_SEED, $TRIALS trials in $elapsed s: run ${counts[run]}, create ${counts[create]}, start ${counts[start]}, rm ${counts[rm]}, pull ${counts[pull]}"
echo "faults: the CLI had already exited before the kill in ${counts[exited_first]} trials; containers started after a kill: ${counts[start_after]}; pulls again after a killed pull left no image: ${counts[repull]}; container ids seen: $(($(wc -l <"$seen_ids") - 1))"
if ((${#findings[@]})); then
    echo "faults: ${#findings[@]} finding(s):"
    printf '  %s\n' "${findings[@]}"
    exit 1
fi
echo "faults: nothing found: every listed container started or was removed, every listed image ran, nothing leaked"
