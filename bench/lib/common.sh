# Shared by the bench/*.sh scripts: sourced, it only defines functions. Each script sets what they read:
#   bench_name          the prefix of its messages (die, note)
#   bench_die_status    die's exit status (default 1)
#   MYRUNTIME, ROOTFS   the binary and the busybox rootfs
#   work                its temp dir (bench_make_work sets it, with store and runroot)
#   store, runroot      the engine's private --storage-root and --runroot (mr)
#   BRIDGE, SUBNET      the engine's private default bridge and its subnet (mr)
#   repo_root           the repository (ensure_rootfs)
# shellcheck shell=bash disable=SC2154

die() { echo "$bench_name: $*" >&2; exit "${bench_die_status:-1}"; }
note() { echo "$bench_name: $*" >&2; }

# need WHAT... -> dies at the first one missing: root, myruntime, jq, bash5 (EPOCHREALTIME).
need() {
    local what
    for what in "$@"; do
        case "$what" in
            root) [[ $(id -u) -eq 0 ]] || die "must run as root" ;;
            myruntime) [[ -x "$MYRUNTIME" ]] || die "myruntime binary not found at $MYRUNTIME (run 'make build' or set MYRUNTIME)" ;;
            jq) command -v jq >/dev/null || die "jq is required (apt-get install jq)" ;;
            bash5) [[ -n "${EPOCHREALTIME:-}" ]] || die "bash 5 or newer is required (EPOCHREALTIME)" ;;
            *) die "need: unknown requirement '$what'" ;;
        esac
    done
}

# bench_make_work PREFIX -> work=/tmp/PREFIX.XXXXXX (made), store=$work/store, runroot=$work/run (not made).
bench_make_work() {
    work="$(mktemp -d "/tmp/$1.XXXXXX")"
    store="$work/store"
    runroot="$work/run"
}

# The engine on the private store, runroot and bridge.
mr() { MYRUNTIME_BRIDGE="$BRIDGE" MYRUNTIME_BRIDGE_SUBNET="$SUBNET" "$MYRUNTIME" --storage-root "$store" --runroot "$runroot" "$@"; }

# Microseconds since the epoch, without forking (bash >= 5), else date(1).
now_us() {
    if [[ -n "${EPOCHREALTIME:-}" ]]; then
        local t="${EPOCHREALTIME//[!0-9]/}"
        echo "$t"
    else
        echo $(($(date +%s%N) / 1000))
    fi
}
# secs US -> seconds with three decimals.
secs() { echo "$(($1 / 1000000)).$(printf '%03d' $(($1 / 1000 % 1000)))"; }
# fd_count PID -> the number of its open descriptors (0 if it is gone).
fd_count() { local n; n=$(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l); echo "$n"; }

# Mount points under DIR (default the work dir), deepest first.
mounts_under() { { grep -o " ${1:-$work}/[^ ]*" /proc/self/mountinfo || true; } | sed 's/^ //' | sort -ru; }
# umount_under DIR -> lazily unmounts everything under DIR.
umount_under() {
    local m
    for m in $(mounts_under "$1"); do umount -l "$m" 2>/dev/null || true; done
}
# Processes whose command line names DIR (default the work dir; monitors carry the store path): only ours can.
# shellcheck disable=SC2120
procs_of_work() {
    local f
    # (the pattern comes from a file, so that grep's own command line does not match)
    for f in $(grep -lsFf <(printf '%s/\n' "${1:-$work}") /proc/[0-9]*/cmdline); do
        f="${f#/proc/}"
        echo "${f%/cmdline}"
    done
}

# What is left of ours on the host. IDS is a file of container ids, one a line (full or short).
count_cgroups_of() { # count_cgroups_of IDS
    find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name 'myruntime-*' 2>/dev/null |
        grep -cFf <(sed 's/^/myruntime-/' "$1") || true
}
count_links_of() { ip -o link | grep -cFf <(cut -c1-11 "$1") || true; } # count_links_of IDS (veths carry 11 chars)
count_subnet_rules() { { iptables-save 2>/dev/null || true; } | grep -F "${SUBNET%/*}" | grep -c myruntime || true; }

# The busybox rootfs: made in $work/mk with scripts/mkimage-busybox.sh when $ROOTFS has none.
ensure_rootfs() {
    [[ -x "$ROOTFS/bin/busybox" ]] && return 0
    note "no busybox rootfs at $ROOTFS: making one"
    "$repo_root/scripts/mkimage-busybox.sh" "$work/mk" >/dev/null 2>&1 || die "scripts/mkimage-busybox.sh failed"
    ROOTFS="$work/mk/rootfs"
}
# $ROOTFS as the tarball $work/rootfs.tar.
tar_rootfs() { tar -C "$ROOTFS" --sort=name --numeric-owner -cf "$work/rootfs.tar" .; }
# import_rootfs IMAGE -> $ROOTFS tarred and imported into the store (made if missing) as IMAGE.
import_rootfs() {
    tar_rootfs
    mkdir -p "$store" "$runroot"
    mr import "$work/rootfs.tar" "$1" >/dev/null || die "myruntime import failed"
}

# bench_traps [HOOK] -> on exit (also Ctrl-C, TERM): HOOK (the script's own cleanup, run first), then every
# container of the store removed with its bridge network, processes naming the work dir killed, mounts under
# it unmounted, and the work dir removed; exits with the script's status.
bench_traps() {
    bench_cleanup_hook="${1:-}"
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}
bench_cleanup() {
    local rc=$? bench_ids pid
    trap - EXIT INT TERM
    set +e
    [[ -n "${bench_cleanup_hook:-}" ]] && "$bench_cleanup_hook"
    if [[ -n "${store:-}" && -d "$store" ]]; then
        mapfile -t bench_ids < <(mr ps -a -q --no-trunc 2>/dev/null)
        ((${#bench_ids[@]})) && mr rm -f "${bench_ids[@]}" >/dev/null 2>&1
        mr network rm bridge >/dev/null 2>&1
    fi
    if [[ -n "${work:-}" && -d "$work" ]]; then
        for pid in $(procs_of_work); do kill -9 "$pid" 2>/dev/null; done
        umount_under "$work"
        rm -rf "$work"
    fi
    exit "$rc"
}
