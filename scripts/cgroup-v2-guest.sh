#!/usr/bin/env bash
# Run commands on a real cgroup v2 host: a small qemu guest (TCG, -M microvm) booting
# Debian's linux-image-amd64 with cgroup_no_v1=all from a busybox initramfs.
#
#   scripts/cgroup-v2-guest.sh prepare [--update]
#       Installs the host tools (qemu-system-x86, busybox-static, kmod, cpio, xz-utils),
#       downloads Debian's kernel package with `apt-get download` (nothing is installed into
#       /boot), unpacks it with dpkg -x, runs depmod, extracts the PVH ELF vmlinux from the
#       bzImage and builds the initramfs. Everything goes to the cache dir; idempotent.
#       Keeps the cached kernel; --update looks for a newer linux-image-amd64 (needs apt lists).
#
#   scripts/cgroup-v2-guest.sh run [OPTIONS] -- CMD [ARGS...]
#       Boots the guest, runs CMD as root and powers off. CMD's stdout/stderr reach this
#       script's stdout/stderr byte for byte; the exit code is CMD's exit code.
#       --share DIR[:ro]   share DIR over 9p at the same absolute path (repeatable;
#                          default: the repo root, always shared read-write)
#       --env NAME[=VALUE] set NAME in CMD's environment (without =VALUE: the host's value)
#       --no-host-usr      do not share the host's /usr (read-only, shared by default)
#       --stdin            give CMD this script's stdin (read to EOF before the boot);
#                          otherwise CMD's stdin is /dev/null
#       -v, --verbose      timings (and the guest console log on failure) on stderr
#
# Inside the guest: /proc, /sys, devtmpfs /dev (+ pts, shm, mqueue), tmpfs /run and /tmp,
# cgroup2 on /sys/fs/cgroup (nsdelegate) with every controller enabled in the root's
# cgroup.subtree_control, loopback up, busybox applets in /bin, glibc in /lib, the kernel's
# full module tree at /lib/modules/$(uname -r) (read-only 9p, on-demand modprobe works).
# The host's /usr is shared read-only at /usr (host tools and libraries: same glibc as the
# copy in the initramfs; the host's /etc/alternatives too) unless --no-host-usr.
# CMD runs in the current directory when that is inside a share, else in the repo root,
# with PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin (so host tools
# come before busybox's; note busybox sh runs its own applets whatever PATH says) and
# HOME=/root.
#
# Exit codes: CMD's code; 124 when the timeout hit; 125 when the guest failed (message
# on stderr). Environment:
#   MYRUNTIME_V2GUEST_CACHE    cache dir (default /var/cache/myruntime-v2guest)
#   MYRUNTIME_V2GUEST_TIMEOUT  seconds for the whole run, boot included (default 600)
#   MYRUNTIME_V2GUEST_KERNEL   kernel package (default: what linux-image-amd64 depends on)
#   MYRUNTIME_V2GUEST_MODULES  modules loaded at boot (default: $default_modules below;
#                              changing it needs a prepare)
#   MYRUNTIME_V2GUEST_ACCEL    tcg (default) or kvm (only useful where /proc/cpuinfo has vmx/svm)
#   MYRUNTIME_V2GUEST_SMP / _MEM  vCPUs (2) / MiB (2048)
#   MYRUNTIME_V2GUEST_TSC_KHZ  TSC frequency given to the guest (default: host's dmesg/cpuinfo)
#   MYRUNTIME_V2GUEST_CONSOLE  copy the guest's console log to this file
#   MYRUNTIME_V2GUEST_APPEND   extra kernel command line (e.g. loglevel=7 to see the boot)
#   MYRUNTIME_V2GUEST_VERBOSE=1  same as -v
set -euo pipefail

prog=cgroup-v2-guest
script_path="$(readlink -f "${BASH_SOURCE[0]}")"
repo_root="$(cd "$(dirname "$script_path")/.." && pwd)"
cache="${MYRUNTIME_V2GUEST_CACHE:-/var/cache/myruntime-v2guest}"
default_modules="virtio_mmio virtio_console 9pnet_virtio 9p overlay veth bridge br_netfilter
nf_conntrack nf_nat nf_tables nft_chain_nat nft_compat x_tables xt_conntrack xt_MASQUERADE
xt_addrtype ip_tables iptable_filter iptable_nat"
modules="${MYRUNTIME_V2GUEST_MODULES:-$default_modules}"
host_pkgs=(qemu-system-x86 busybox-static kmod cpio xz-utils zstd)
msize=512000

die() { echo "$prog: $*" >&2; exit 125; }
log() { echo "$prog: $*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

usage() {
    sed -n '2,/^set -euo/p' "$script_path" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

# ---------------------------------------------------------------------------- prepare

# What the initramfs is made of besides the kernel: run refuses a stale image.
image_stamp() {
    { declare -f init_stage1 init_stage2 init_etc prepare_initramfs; echo "$modules"
      dpkg-query -W busybox-static libc6 libgcc-s1 2>/dev/null; } | sha256sum | cut -c1-32
}

pkg_installed() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]; }

ensure_host_pkgs() {
    local missing=() p
    for p in "${host_pkgs[@]}"; do pkg_installed "$p" || missing+=("$p"); done
    ((${#missing[@]})) || return 0
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
        apt-get update >/dev/null
        apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
    }
}

# The kernel package to use and its version: "NAME VERSION".
kernel_pkg() {
    local name="${MYRUNTIME_V2GUEST_KERNEL:-}" ver
    if [[ -z "$name" ]]; then
        name="$(apt-cache depends linux-image-amd64 2>/dev/null |
            awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')"
        if [[ -z "$name" ]]; then
            apt-get update >/dev/null
            name="$(apt-cache depends linux-image-amd64 |
                awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')"
        fi
    fi
    [[ -n "$name" ]] || die "cannot resolve linux-image-amd64 to a kernel package"
    ver="$(apt-cache policy "$name" | awk '$1 == "Candidate:" { print $2 }')"
    [[ -n "$ver" && "$ver" != "(none)" ]] || die "no candidate version for $name"
    echo "$name $ver"
}

# Offsets (decimal, one per line) of a byte string (perl escapes) in a file.
find_magic() {
    perl -0777 -ne 'BEGIN { $m = eval q{"} . shift(@ARGV) . q{"} }
        my $p = -1; while (($p = index($_, $m, $p + 1)) >= 0) { print "$p\n" }' "$2" "$1" | head -n 10
}

# Like the kernel tree's scripts/extract-vmlinux: try each compressor's magic at each
# offset until the output is an ELF file.
extract_vmlinux() {
    local img="$1" out="$2" magic tool off
    local entry
    for entry in 'xz:\xFD7zXZ\x00' 'zstd:\x28\xB5\x2F\xFD' 'gzip:\x1F\x8B\x08' 'lz4:\x02\x21\x4C\x18' 'bzip2:BZh'; do
        tool="${entry%%:*}" magic="${entry#*:}"
        command -v "$tool" >/dev/null || continue
        for off in $(find_magic "$img" "$magic"); do
            # Trailing data after the payload makes the decompressor complain: ignore that.
            tail -c "+$((off + 1))" "$img" | "$tool" -dcq >"$out" 2>/dev/null || true
            if [[ "$(head -c 4 "$out" | od -An -tx1 | tr -d ' \n')" == 7f454c46 ]]; then
                return 0
            fi
        done
    done
    rm -f "$out"
    return 1
}

# True if the ELF file has the PVH entry note (Xen note type 18, XEN_ELFNOTE_PHYS32_ENTRY).
has_pvh_note() {
    command -v readelf >/dev/null || return 0 # cannot check: let qemu decide
    readelf -n "$1" 2>/dev/null | grep -q 'Unknown note type: (0x00000012)'
}

prepare_kernel() {
    local name ver dir tmp deb kver cur
    # Keep the kernel we have unless asked to look for a newer one (apt-cache takes ~2 s).
    cur="$(readlink "$cache/current" 2>/dev/null || true)"
    if [[ -z "$update" && -e "$cache/current/.complete" ]] &&
        [[ -z "${MYRUNTIME_V2GUEST_KERNEL:-}" || "${cur##*/}" == "${MYRUNTIME_V2GUEST_KERNEL}_"* ]]; then
        return 0
    fi
    read -r name ver < <(kernel_pkg)
    dir="$cache/kernels/${name}_$ver"
    if [[ ! -e "$dir/.complete" ]]; then
        log "downloading and unpacking $name $ver"
        mkdir -p "$cache/kernels"
        rm -rf "$cache/kernels/.tmp."*
        tmp="$(mktemp -d "$cache/kernels/.tmp.XXXXXX")"
        (cd "$tmp" && apt-get download -o APT::Sandbox::User=root "$name=$ver" >/dev/null) ||
            die "apt-get download $name=$ver failed"
        deb="$(echo "$tmp"/*.deb)"
        dpkg -x "$deb" "$tmp/root"
        rm -f "$deb"
        kver="$(ls "$tmp/root/lib/modules")"
        [[ -n "$kver" && -f "$tmp/root/boot/vmlinuz-$kver" ]] || die "unexpected layout in $name"
        depmod -b "$tmp/root" "$kver"
        echo "$kver" >"$tmp/kver"
        if ! { extract_vmlinux "$tmp/root/boot/vmlinuz-$kver" "$tmp/vmlinux" && has_pvh_note "$tmp/vmlinux"; }; then
            log "no PVH vmlinux could be extracted: the guest boots the (slower) bzImage"
            rm -f "$tmp/vmlinux"
        fi
        chmod 755 "$tmp"
        touch "$tmp/.complete"
        rm -rf "$dir"
        mv "$tmp" "$dir"
    fi
    ln -sfn "kernels/${name}_$ver" "$cache/current.tmp"
    mv -T "$cache/current.tmp" "$cache/current"
}

# The guest's stage 1 init (PID 1 on the initramfs): copy the small root to a tmpfs and
# switch_root into it. pivot_root, which container runtimes use, fails while the root is
# the initramfs itself.
init_stage1() {
    cat <<'EOF'
#!/bin/sh
export PATH=/bin:/sbin
mount -t tmpfs -o mode=0755 root /newroot
cp -a /bin /sbin /lib /lib64 /etc /usr /root /v2guest /newroot/
mkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/run /newroot/tmp /newroot/mnt /newroot/var
ln -s /run /newroot/var/run
ln -s /tmp /newroot/var/tmp
exec switch_root /newroot /v2guest/init2
EOF
}

# Stage 2 (PID 1 on the tmpfs root): modules, mounts, shares, cgroup2, then CMD.
init_stage2() {
    cat <<'EOF'
#!/bin/sh
# Generated by scripts/cgroup-v2-guest.sh. Talks to the host through three virtio serial
# ports (v2.out, v2.err: CMD's output; v2.st: status lines and the host's ack) and the
# 9p share v2ctl (config written by the host).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
umask 022
fail() { echo "v2guest: $*" >&2; }
mount -t proc -o nosuid,nodev,noexec proc /proc
read -r up0 _ </proc/uptime
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t devtmpfs -o nosuid,mode=0755 devtmpfs /dev
echo /sbin/modprobe >/proc/sys/kernel/modprobe
# What the host needs to talk to us now; the rest in the background, waited for before CMD.
modprobe -a $(cat /etc/v2guest/modules.bg) & modpid=$!
modprobe -a virtio_mmio virtio_console 9pnet_virtio 9p || fail "cannot load the virtio/9p modules"
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o nosuid,noexec,gid=5,mode=0620,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o nosuid,nodev,mode=1777 shm /dev/shm
mount -t mqueue -o nosuid,nodev,noexec mqueue /dev/mqueue
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
mount -t tmpfs -o nosuid,nodev,mode=0755 tmpfs /run
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /tmp
mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate cgroup2 /sys/fs/cgroup
read -r ctrls </sys/fs/cgroup/cgroup.controllers
for c in $ctrls; do
    echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control || fail "cannot enable controller $c"
done
hostname v2guest
ip link set lo up

read -r cmdline </proc/cmdline
V2_MSIZE=131072
for a in $cmdline; do case "$a" in v2guest.msize=*) V2_MSIZE=${a#*=} ;; esac; done
# ninep TAG DIR [ro]: read-only shares use the page cache (cache=loose), so binaries run
# from them repeatedly are read once; read-write ones stay coherent with the host (cache=mmap).
ninep() {
    if [ "$3" = ro ]; then set -- "$1" "$2" ro,cache=loose; else set -- "$1" "$2" cache=mmap; fi
    mount -t 9p -o "trans=virtio,version=9p2000.L,msize=$V2_MSIZE,$3" "$1" "$2"
}
mkdir -p /run/v2guest/ctl
ninep v2ctl /run/v2guest/ctl || fail "cannot mount the control share"

# Functions the host's config calls.
V2_CWD=/ V2_STDIN=/dev/null V2_ENV= V2_VERBOSE= V2_MODTAG=
v2_share() { # TAG PATH ro|rw
    mkdir -p "$2" && ninep "$1" "$2" "$3" || fail "cannot mount share $2"
}
v2_modules() { V2_MODTAG=$1; } # the kernel's full module tree, mounted after the preload
. /run/v2guest/ctl/config
if [ -n "$V2_VERBOSE" ]; then
    echo "v2guest: stage 2 at $up0, config read at $(cut -d" " -f1 /proc/uptime)"
    PS4='+ [$(cut -d" " -f1 /proc/uptime)] '
    set -x
fi

# Find the serial ports by name.
OUT= ERR= ST= i=0
while :; do
    for d in /sys/class/virtio-ports/*; do
        n=
        read -r n <"$d/name" 2>/dev/null
        case "$n" in
            v2.out) OUT=/dev/${d##*/} ;;
            v2.err) ERR=/dev/${d##*/} ;;
            v2.st) ST=/dev/${d##*/} ;;
        esac
    done
    [ -c "$OUT" ] && [ -c "$ERR" ] && [ -c "$ST" ] && break
    i=$((i + 1))
    if [ $i -gt 200 ]; then fail "virtio serial ports not found"; poweroff -f; reboot -f; fi
    sleep 0.05
done
exec 3<>"$ST"

wait $modpid || fail "some modules failed to load: $(cat /etc/v2guest/modules.bg)"
if [ -n "$V2_MODTAG" ]; then
    ninep "$V2_MODTAG" "/lib/modules/$(uname -r)" ro || fail "cannot mount the module tree"
fi

# CMD writes into FIFOs; tee copies to the port and to wc, which counts the bytes so the
# host can tell when it has received everything.
R=/run/v2guest
mkfifo $R/o $R/o2 $R/e $R/e2
tee -a "$OUT" <$R/o >$R/o2 & p1=$!
wc -c <$R/o2 >$R/o.n & p2=$!
tee -a "$ERR" <$R/e >$R/e2 & p3=$!
wc -c <$R/e2 >$R/e.n & p4=$!

set +x
# busybox's env and exec prefer busybox applets to PATH: with the host's /usr present, use
# its (GNU) env so that CMD is looked up in PATH like on any other system.
ENV=env
[ -x /usr/bin/env ] && ENV=/usr/bin/env
read -r up _ </proc/uptime
echo "START $up" >&3
( cd "$V2_CWD" || exit 125; eval "exec $ENV -i $V2_ENV \"\$@\"" ) <"$V2_STDIN" >$R/o 2>$R/e
rc=$?
read -r up _ </proc/uptime
[ -n "$V2_VERBOSE" ] && set -x

# Processes CMD left behind that keep its stdout/stderr open: wait 2 s, then kill them
# (everything but PID 1, the relays and kernel threads, which have no /proc/PID/exe).
alive() {
    for p in "$@"; do
        read -r st <"/proc/$p/stat" 2>/dev/null || continue
        set -- ${st##*) }
        [ "$1" != Z ] && return 0
    done
    return 1
}
read -r t _ </proc/uptime
end=$((${t%.*}${t#*.} + 200))
while alive $p1 $p3; do
    read -r t _ </proc/uptime
    [ "${t%.*}${t#*.}" -lt $end ] || break
    sleep 0.05
done
if alive $p1 $p3; then
    victims=
    for d in /proc/[0-9]*; do
        p=${d#/proc/}
        case " 1 $p1 $p2 $p3 $p4 " in *" $p "*) continue ;; esac
        [ -e $d/exe ] && victims="$victims $p"
    done
    fail "killing processes left behind:$victims"
    [ -n "$victims" ] && kill -9 $victims 2>/dev/null
fi
wait $p1 $p2 $p3 $p4
read -r on <$R/o.n || on=0
read -r en <$R/e.n || en=0
sync
echo "EXIT $rc $on $en $up" >&3
read -r -t 15 ack <&3
poweroff -f
reboot -f
EOF
}

init_etc() {
    local etc="$1"
    mkdir -p "$etc/v2guest"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$etc/passwd"
    printf 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n' >"$etc/group"
    printf 'root:*:19000:0:99999:7:::\n' >"$etc/shadow"
    printf '127.0.0.1\tlocalhost v2guest\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$etc/hosts"
    printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' >"$etc/nsswitch.conf"
    echo v2guest >"$etc/hostname"
    : >"$etc/resolv.conf"
    ln -sfn /proc/self/mounts "$etc/mtab"
}

prepare_initramfs() {
    local kdir kver kroot key stage m line lib out
    kdir="$(readlink -f "$cache/current")"
    kver="$(cat "$kdir/kver")"
    kroot="$kdir/root"
    if [[ ! -x /bin/busybox ]] || ldd /bin/busybox >/dev/null 2>&1; then die "/bin/busybox is not static"; fi

    local libs=(ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libgcc_s.so.1 libpthread.so.0 libdl.so.2
        librt.so.1 libresolv.so.2 libutil.so.1)
    if [[ -x "$repo_root/bin/myruntime" ]]; then
        while read -r lib; do libs+=("$lib"); done < <(ldd "$repo_root/bin/myruntime" 2>/dev/null |
            awk '$3 ~ /^\// { n = $3; sub(/.*\//, "", n); print n }')
    fi
    key="$(image_stamp) ${libs[*]}"
    if [[ -f "$kdir/initramfs.cpio" && "$(cat "$kdir/initramfs.key" 2>/dev/null)" == "$key" ]]; then
        return 0
    fi
    log "building the initramfs"
    rm -rf "$cache/.stage."*
    stage="$(mktemp -d "$cache/.stage.XXXXXX")"
    mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,lib/x86_64-linux-gnu,lib64,etc,dev,proc,sys,newroot,root,v2guest}
    cp /bin/busybox "$stage/bin/busybox"
    for m in $(/bin/busybox --list); do
        [[ "$m" == busybox ]] || ln -s busybox "$stage/bin/$m"
    done
    ln -s ../bin/busybox "$stage/sbin/modprobe"
    ln -s ../bin/busybox "$stage/sbin/init"
    for lib in "${libs[@]}"; do
        [[ -e "$stage/lib/x86_64-linux-gnu/$lib" ]] && continue
        if [[ -e "/lib/x86_64-linux-gnu/$lib" ]]; then
            cp -L "/lib/x86_64-linux-gnu/$lib" "$stage/lib/x86_64-linux-gnu/$lib"
        else
            log "warning: /lib/x86_64-linux-gnu/$lib not found, not in the guest"
        fi
    done
    ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$stage/lib64/ld-linux-x86-64.so.2"
    init_etc "$stage/etc"
    mknod -m 600 "$stage/dev/console" c 5 1
    mknod -m 666 "$stage/dev/null" c 1 3

    # Modules loaded at boot, with their dependencies; builtins are skipped.
    local loadable=() critical="virtio_mmio virtio_console 9pnet_virtio 9p"
    for m in $critical $modules; do
        out="$(modprobe -d "$kroot" -S "$kver" --show-depends "$m" 2>&1)" || die "module $m: $out"
        while read -r line; do
            case "$line" in
                insmod\ *)
                    line="${line#insmod }"
                    line="${line%% *}"
                    mkdir -p "$(dirname "$stage/${line#"$kroot"/}")"
                    cp "$line" "$stage/${line#"$kroot"/}"
                    ;;
            esac
        done <<<"$out"
        grep -q '^insmod ' <<<"$out" && [[ " $critical " != *" $m "* ]] && loadable+=("$m")
    done
    cp "$kroot/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} "$stage/lib/modules/$kver/" 2>/dev/null || true
    depmod -b "$stage" "$kver"
    echo "${loadable[*]}" >"$stage/etc/v2guest/modules.bg"

    init_stage1 >"$stage/init"
    init_stage2 >"$stage/v2guest/init2"
    chmod 755 "$stage/init" "$stage/v2guest/init2"
    chmod 700 "$stage/root"
    (cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
        cpio --null --quiet -o -H newc -R 0:0 >"$kdir/initramfs.cpio.tmp")
    mv "$kdir/initramfs.cpio.tmp" "$kdir/initramfs.cpio"
    echo "$key" >"$kdir/initramfs.key"
    rm -rf "$stage"
}

cmd_prepare() {
    local t0
    t0="$(now)"
    [[ $(id -u) -eq 0 ]] || die "prepare needs root (apt-get)"
    mkdir -p "$cache"
    exec 9>"$cache/.lock"
    flock 9
    ensure_host_pkgs
    prepare_kernel
    prepare_initramfs
    local kdir
    kdir="$(readlink -f "$cache/current")"
    log "ready in $(elapsed "$t0") s: kernel $(cat "$kdir/kver") ($([[ -f "$kdir/vmlinux" ]] && echo PVH vmlinux || echo bzImage)), cache $cache"
}

# ---------------------------------------------------------------------------- run

tsc_khz() {
    if [[ -n "${MYRUNTIME_V2GUEST_TSC_KHZ:-}" ]]; then echo "$MYRUNTIME_V2GUEST_TSC_KHZ"; return; fi
    local mhz
    mhz="$(dmesg 2>/dev/null | sed -n 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p' | tail -n1)"
    [[ -n "$mhz" ]] || mhz="$(dmesg 2>/dev/null | sed -n 's/.*tsc: Detected \([0-9.]*\) MHz.*/\1/p' | head -n1)"
    [[ -n "$mhz" ]] || mhz="$(awk -F': *' '/^cpu MHz/ { print $2; exit }' /proc/cpuinfo)"
    [[ -n "$mhz" ]] || return 0
    awk -v m="$mhz" 'BEGIN { printf "%d\n", m * 1000 }'
}

# Escape a path for a qemu option value (a comma is written twice).
qesc() { printf '%s' "${1//,/,,}"; }

# Single-quote a string for sh.
shq() { local s="${1//\'/\'\\\'\'}"; printf "'%s'" "$s"; }

# The host side of the serial ports: copies v2.out/v2.err to stdout/stderr, reads the
# guest's status lines, and once all announced bytes are through acks so the guest powers
# off. Exits with CMD's code, or 124 (timeout) / 125 (guest died) after writing $tmp/failed.
relay_pl='
use strict; use warnings; use POSIX (); use Fcntl;
BEGIN { eval { require Time::HiRes; Time::HiRes->import("time"); 1 } }
my ($fo, $fe, $fs, $fa, $qpid, $deadline, $tmp, $verbose) = @ARGV;
my $t0 = time;
my @keep;
for my $fd ($fo, $fe, $fs) {
    open(my $h, "<&=", $fd) or die "fd $fd: $!";
    my $fl = fcntl($h, F_GETFL, 0); fcntl($h, F_SETFL, $fl | O_NONBLOCK);
    push @keep, $h;
}
my %dst = ($fo => 1, $fe => 2);
my %n = ($fo => 0, $fe => 0);
my ($stbuf, $exit, $tstart, $gstart) = ("", undef, undef, undef);
sub put { my ($fd, $data) = @_; my $off = 0;
    while ($off < length $data) {
        my $w = POSIX::write($fd, substr($data, $off), length($data) - $off);
        if (!defined $w) { if ($! == POSIX::EAGAIN || $! == POSIX::EINTR) { select(undef, undef, undef, 0.01); next } exit 141 }
        $off += $w;
    } }
sub pump { my ($fd) = @_; my $got = 0;
    while (1) { my $buf = ""; my $r = POSIX::read($fd, $buf, 262144);
        last if !defined $r || $r == 0; $got += $r;
        if ($fd == $fs) { $stbuf .= $buf } else { put($dst{$fd}, $buf); $n{$fd} += $r } }
    while ($stbuf =~ s/^([^\n]*)\n//) { my $l = $1;
        if ($l =~ /^START (\S+)/) { $tstart = time; $gstart = $1 }
        elsif ($l =~ /^EXIT (\d+) (\d+) (\d+) (\S+)/) { $exit = [$1, $2, $3, time, $4] } }
    return $got; }
sub alive { return 0 unless kill 0, $qpid;
    open(my $s, "<", "/proc/$qpid/stat") or return 0; my $l = <$s>;
    return $l !~ /^\d+ \(.*\) Z/; }
sub fail { my ($code, $msg) = @_; print STDERR "cgroup-v2-guest: $msg\n";
    open(my $f, ">", "$tmp/failed"); print $f "$msg\n"; close $f; exit $code; }
sub done { my $rc = $exit->[0];
    POSIX::write($fa, "ack\n", 4);
    open(my $d, ">", "$tmp/acked"); close $d;
    if ($verbose) { open(my $f, ">", "$tmp/timings");
        printf $f "qemu start -> CMD start %.2f s (guest uptime %s s); CMD %.2f s (guest clock); CMD start -> all output in %.2f s\n",
            $tstart - $t0, $gstart, $exit->[4] - $gstart, time - $tstart; close $f; }
    exit $rc; }
while (1) {
    my $rin = ""; vec($rin, $_, 1) = 1 for ($fo, $fe, $fs);
    my $nr = select(my $rout = $rin, undef, undef, 0.2);
    if ($nr > 0) { for my $fd ($fs, $fo, $fe) { pump($fd) if vec($rout, $fd, 1) } }
    done() if $exit && $n{$fo} >= $exit->[1] && $n{$fe} >= $exit->[2];
    if (!alive()) {
        1 while pump($fo) + pump($fe) + pump($fs);
        done() if $exit && $n{$fo} >= $exit->[1] && $n{$fe} >= $exit->[2];
        fail(125, $exit ? "guest stopped before all output arrived (CMD exit $exit->[0])"
                        : "the guest stopped before CMD finished (see the console log)");
    }
    fail(124, "timeout: the guest ran longer than the limit") if time > $deadline;
}
'

qemu_pid='' relay_pid='' tmp=''
cleanup() {
    local rc=$? p
    trap - EXIT INT TERM HUP
    for p in $relay_pid $qemu_pid; do
        kill -TERM "$p" 2>/dev/null || true
    done
    if [[ -n "$qemu_pid" ]]; then
        for _ in $(seq 20); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.05; done
        kill -KILL "$qemu_pid" 2>/dev/null || true
        wait "$qemu_pid" 2>/dev/null || true
    fi
    [[ -n "$tmp" ]] && rm -rf "$tmp"
    exit "$rc"
}

cmd_run() {
    local shares=() envs=() use_stdin='' host_usr=1 verbose="${MYRUNTIME_V2GUEST_VERBOSE:-}"
    while (($#)); do
        case "$1" in
            --share) [[ $# -ge 2 ]] || usage; shares+=("$2"); shift 2 ;;
            --share=*) shares+=("${1#--share=}"); shift ;;
            --env) [[ $# -ge 2 ]] || usage; envs+=("$2"); shift 2 ;;
            --env=*) envs+=("${1#--env=}"); shift ;;
            --stdin) use_stdin=1; shift ;;
            --no-host-usr) host_usr=; shift ;;
            -v | --verbose) verbose=1; shift ;;
            --) shift; break ;;
            -h | --help) usage ;;
            -*) log "unknown option $1"; usage ;;
            *) break ;;
        esac
    done
    (($#)) || usage
    local t0 kdir kver kernel initrd
    t0="$(now)"
    [[ -e "$cache/current/.complete" && -f "$cache/current/initramfs.cpio" ]] ||
        die "not prepared: run '$0 prepare' first"
    command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run '$0 prepare'"
    kdir="$(readlink -f "$cache/current")"
    [[ "$(image_stamp)" == "$(cut -d' ' -f1 "$kdir/initramfs.key" 2>/dev/null)" ]] ||
        die "the guest image is stale (this script, busybox or libc changed): run '$0 prepare'"
    kver="$(cat "$kdir/kver")"
    kernel="$kdir/vmlinux"
    [[ -f "$kernel" ]] || kernel="$kdir/root/boot/vmlinuz-$kver"
    initrd="$kdir/initramfs.cpio"
    local timeout="${MYRUNTIME_V2GUEST_TIMEOUT:-600}"
    [[ "$timeout" =~ ^[0-9]+$ ]] || die "MYRUNTIME_V2GUEST_TIMEOUT must be a number of seconds"

    # Shares: DIR or DIR:ro, made absolute; the repo root always, read-write.
    local -A share_mode=()
    local s path mode
    share_mode["$repo_root"]=rw
    if [[ -n "$host_usr" ]]; then
        share_mode[/usr]=ro
        [[ ! -d /etc/alternatives ]] || share_mode[/etc/alternatives]=ro # symlinks into /usr
    fi
    for s in "${shares[@]}"; do
        mode=rw path="$s"
        case "$s" in *:ro) mode=ro path="${s%:ro}" ;; *:rw) path="${s%:rw}" ;; esac
        [[ -d "$path" ]] || die "--share $path: not a directory"
        path="$(cd "$path" && pwd -P)"
        case "$path" in
            / | /proc | /proc/* | /sys | /sys/* | /dev | /dev/* | /run | /run/v2guest*) die "cannot share $path" ;;
            /lib | /lib/* | /lib64 | /lib64/* | /bin | /bin/* | /sbin | /sbin/*)
                die "cannot share $path: it would hide the guest's own files (share /usr instead)" ;;
        esac
        [[ "${share_mode[$path]:-}" == rw ]] || share_mode["$path"]="$mode"
    done
    local cwd
    cwd="$(pwd -P)"
    local in_share=
    for path in "${!share_mode[@]}"; do
        [[ "$cwd" == "$path" || "$cwd" == "$path"/* ]] && in_share=1
    done
    [[ -n "$in_share" ]] || cwd="$repo_root"

    # Temp dirs of runs that were SIGKILLed (their qemu died with them: pdeathsig).
    local d owner
    for d in "${TMPDIR:-/tmp}"/v2guest.*; do
        [[ -f "$d/owner" ]] && read -r owner <"$d/owner" && ! kill -0 "$owner" 2>/dev/null &&
            rm -rf "$d"
    done
    tmp="$(mktemp -d "${TMPDIR:-/tmp}/v2guest.XXXXXX")"
    echo $$ >"$tmp/owner"
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    mkdir "$tmp/ctl"

    local secmodel=passthrough
    [[ $(id -u) -eq 0 ]] || secmodel=none
    local qargs=() i=0 cfg="$tmp/ctl/config" e name ro
    {
        echo "V2_CWD=$(shq "$cwd")"
        local envstr="'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' 'HOME=/root' 'USER=root' 'LOGNAME=root' 'SHELL=/bin/sh'"
        for e in "${envs[@]}"; do
            name="${e%%=*}"
            [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "--env $e: bad name"
            if [[ "$e" != *=* ]]; then
                [[ -n "${!name+x}" ]] || continue
                e="$name=${!name}"
            fi
            envstr+=" $(shq "$e")"
        done
        echo "V2_ENV=$(shq "$envstr")"
        [[ -n "$verbose" ]] && echo "V2_VERBOSE=1"
        echo "v2_modules v2mods"
        # Parents before children.
        while IFS= read -r -d '' path; do
            ro=
            [[ ${share_mode[$path]} == ro ]] && ro=,readonly=on
            qargs+=(-fsdev "local,id=fs$i,path=$(qesc "$path"),security_model=$secmodel,multidevs=remap$ro"
                -device "virtio-9p-device,fsdev=fs$i,mount_tag=v2s$i")
            echo "v2_share v2s$i $(shq "$path") ${share_mode[$path]}"
            i=$((i + 1))
        done < <(printf '%s\0' "${!share_mode[@]}" | LC_ALL=C sort -z)
        if [[ -n "$use_stdin" ]]; then
            cat >"$tmp/ctl/stdin"
            echo "V2_STDIN=/run/v2guest/ctl/stdin"
        fi
        local a line="set --"
        for a in "$@"; do line+=" $(shq "$a")"; done
        echo "$line"
    } >"$cfg"

    local accel="${MYRUNTIME_V2GUEST_ACCEL:-tcg}" cpu=max
    case "$accel" in
        tcg) accel="tcg,thread=multi" ;;
        kvm) cpu=host ;;
        *) die "MYRUNTIME_V2GUEST_ACCEL must be tcg or kvm" ;;
    esac
    local khz append
    khz="$(tsc_khz)"
    append="console=ttyS0 quiet panic=-1 rdinit=/init pci=off cgroup_no_v1=all mitigations=off tsc=reliable"
    # tsc_early_khz: without an HPET or PM timer the guest's TSC calibration against the PIT
    # can fail and hang the boot; tsc=reliable keeps the TSC as clocksource (else the guest
    # falls back to jiffies, which under TCG lag real time); lpj skips the secondary CPUs'
    # delay-loop calibration; cryptomgr.notests skips the crypto self-tests (~0.3 s).
    local hz
    hz="$(sed -n 's/^CONFIG_HZ=//p' "$kdir/root/boot/config-$kver")"
    append+=" cryptomgr.notests random.trust_cpu=on v2guest.msize=$msize"
    [[ -z "$khz" ]] || append+=" tsc_early_khz=$khz${hz:+ lpj=$((khz * 1000 / hz))}"
    append+="${verbose:+ v2guest.verbose}${MYRUNTIME_V2GUEST_APPEND:+ $MYRUNTIME_V2GUEST_APPEND}"

    mkfifo "$tmp/out.fifo" "$tmp/err.fifo" "$tmp/st.in" "$tmp/st.out"
    local fo fe fs fa
    exec {fo}<>"$tmp/out.fifo" {fe}<>"$tmp/err.fifo" {fs}<>"$tmp/st.out" {fa}<>"$tmp/st.in"

    # shellcheck disable=SC2054 # commas separate qemu sub-options
    qargs=(-M 'microvm,x-option-roms=off,acpi=on,rtc=on,isa-serial=on'
        -accel "$accel" -cpu "$cpu" -smp "${MYRUNTIME_V2GUEST_SMP:-2}" -m "${MYRUNTIME_V2GUEST_MEM:-2048}"
        -nodefaults -no-user-config -display none -no-reboot
        -kernel "$kernel" -initrd "$initrd" -append "$append"
        -chardev "file,id=con,path=$(qesc "$tmp/console.log")" -serial chardev:con
        -device virtio-serial-device,max_ports=4
        -chardev "file,id=out,path=$(qesc "$tmp/out.fifo")" -device virtserialport,chardev=out,name=v2.out
        -chardev "file,id=err,path=$(qesc "$tmp/err.fifo")" -device virtserialport,chardev=err,name=v2.err
        -chardev "pipe,id=st,path=$(qesc "$tmp/st")" -device virtserialport,chardev=st,name=v2.st
        -fsdev "local,id=fsctl,path=$(qesc "$tmp/ctl"),security_model=$secmodel"
        -device virtio-9p-device,fsdev=fsctl,mount_tag=v2ctl
        -fsdev "local,id=fsmods,path=$(qesc "$kdir/root/lib/modules/$kver"),security_model=$secmodel,readonly=on"
        -device virtio-9p-device,fsdev=fsmods,mount_tag=v2mods
        "${qargs[@]}")

    local tq deadline
    tq="$(now)"
    deadline="$(awk -v a="$t0" -v t="$timeout" 'BEGIN { printf "%.3f", a + t }')"
    # pdeathsig: qemu dies with this script even if it is SIGKILLed.
    setpriv --pdeathsig KILL -- qemu-system-x86_64 "${qargs[@]}" \
        </dev/null >"$tmp/qemu.log" 2>&1 {fo}>&- {fe}>&- {fs}>&- {fa}>&- &
    qemu_pid=$!
    perl -e "$relay_pl" "$fo" "$fe" "$fs" "$fa" "$qemu_pid" "$deadline" "$tmp" "$verbose" </dev/null &
    relay_pid=$!
    local rc=0 trelay
    wait "$relay_pid" || rc=$?
    relay_pid=
    trelay="$(now)"
    if [[ -e "$tmp/failed" ]]; then
        if [[ -s "$tmp/qemu.log" ]]; then sed 's/^/qemu: /' "$tmp/qemu.log" >&2; fi
        log "guest console (last lines):"
        tail -n 30 "$tmp/console.log" | sed 's/^/  /' >&2 || true
    elif [[ -e "$tmp/acked" ]]; then
        # The guest powers off after the ack; give it a moment, then cleanup() kills qemu.
        for _ in $(seq 100); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.05; done
    fi
    if [[ -n "${MYRUNTIME_V2GUEST_CONSOLE:-}" ]]; then cp "$tmp/console.log" "$MYRUNTIME_V2GUEST_CONSOLE" || true; fi
    if [[ -n "$verbose" ]]; then
        [[ -f "$tmp/timings" ]] && log "$(cat "$tmp/timings")"
        log "total $(elapsed "$t0") s (qemu started after $(awk -v a="$t0" -v b="$tq" 'BEGIN { printf "%.2f", b - a }') s, all output -> qemu gone $(elapsed "$trelay") s), exit $rc"
    fi
    return "$rc"
}

case "${1:-}" in
    prepare)
        shift
        update=
        case "${1:-}" in --update) update=1; shift ;; esac
        (($# == 0)) || usage
        cmd_prepare
        ;;
    run) shift; cmd_run "$@" ;;
    *) usage ;;
esac
