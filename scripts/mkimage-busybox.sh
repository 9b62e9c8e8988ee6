#!/usr/bin/env bash
# Build a busybox OCI bundle offline from Debian's busybox-static.
#
#   scripts/mkimage-busybox.sh [DEST]     (default: test-images/busybox in the repo)
#
# DEST/rootfs    busybox + every applet link, a minimal /etc, standard dirs
# DEST/config.json  OCI runtime-spec config like `runc spec` (terminal:false, args ["sh"])
#
# Idempotent: DEST/rootfs and DEST/config.json are rebuilt from scratch each run.
# Needs root only to install busybox-static if it is missing. Does not use src/.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-$repo_root/test-images/busybox}"
busybox="${BUSYBOX:-/bin/busybox}"

die() { echo "mkimage-busybox: $*" >&2; exit 1; }

is_static() {
    # ldd exits non-zero ("not a dynamic executable") for a static binary.
    [[ -x "$1" ]] && ! ldd "$1" >/dev/null 2>&1
}

if ! is_static "$busybox"; then
    [[ "$busybox" == /bin/busybox ]] || die "$busybox is missing or not statically linked"
    echo "mkimage-busybox: installing busybox-static" >&2
    [[ $(id -u) -eq 0 ]] || die "busybox-static is not installed and we are not root"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends busybox-static >/dev/null 2>&1 || {
        apt-get update >/dev/null
        apt-get install -y --no-install-recommends busybox-static >/dev/null
    }
    is_static "$busybox" || die "$busybox is still not a static binary after installing busybox-static"
fi

[[ -n "$dest" && "$dest" != "/" ]] || die "refusing DEST '$dest'"
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"
rootfs="$dest/rootfs"

# Start clean (rebuild), but only touch what we own inside DEST.
rm -rf "$rootfs" "$dest/config.json"
mkdir -p "$rootfs"

cd "$rootfs"
mkdir -p bin sbin usr/bin usr/sbin usr/local/bin etc root home var/log var/tmp run mnt proc sys dev tmp
chmod 1777 tmp var/tmp
chmod 700 root
install -m 0755 "$busybox" bin/busybox

# Applet links: relative symlinks to /bin/busybox (usr/bin/[ -> ../../bin/busybox,
# bin/ls -> busybox, linuxrc -> bin/busybox). perl-base is Essential on Debian, so
# use it to make ~270 links in one process; plain shell is the fallback.
applets="$("$busybox" --list-full)"
if command -v perl >/dev/null 2>&1; then
    perl -e '
        use strict;
        use File::Path qw(make_path);
        for my $a (split /\n/, $ARGV[0]) {
            next if $a eq "" || $a eq "bin/busybox";
            my @parts = split m{/}, $a;
            pop @parts;
            my $dir = join("/", @parts);
            my $target = $dir eq "bin" ? "busybox" : ("../" x scalar(@parts)) . "bin/busybox";
            make_path($dir) if $dir ne "" && !-d $dir;
            unlink $a;
            symlink($target, $a) or die "symlink $a: $!\n";
        }' "$applets"
else
    while IFS= read -r applet; do
        [[ -n "$applet" && "$applet" != bin/busybox ]] || continue
        if [[ "$applet" != */* ]]; then
            target="bin/busybox"
        else
            dir="${applet%/*}"
            if [[ "$dir" == bin ]]; then
                target="busybox"
            else
                target="bin/busybox"
                rest="$dir"
                while :; do
                    target="../$target"
                    [[ "$rest" == */* ]] || break
                    rest="${rest#*/}"
                done
            fi
            mkdir -p "$dir"
        fi
        ln -sfn "$target" "$applet"
    done <<<"$applets"
fi

[[ -e bin/sh ]] || ln -s busybox bin/sh

cat > etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
app:x:1000:1000:app:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat > etc/group <<'EOF'
root:x:0:
tty:x:5:
app:x:1000:
nogroup:x:65534:
EOF
cat > etc/shadow <<'EOF'
root:*:19000:0:99999:7:::
app:*:19000:0:99999:7:::
nobody:*:19000:0:99999:7:::
EOF
chmod 640 etc/shadow
echo myruntime > etc/hostname
cat > etc/hosts <<'EOF'
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
EOF
# As Docker's busybox image: names resolve from /etc/hosts first (glibc's default without this file asks DNS first,
# and a resolver that answers "no such name" would hide the container's own entries).
cat > etc/nsswitch.conf <<'EOF'
hosts: files dns
EOF
mkdir -p home/app
chown 1000:1000 home/app 2>/dev/null || true

cat > "$dest/config.json" <<'EOF'
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": {
			"uid": 0,
			"gid": 0
		},
		"args": [
			"sh"
		],
		"env": [
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"TERM=xterm"
		],
		"cwd": "/",
		"capabilities": {
			"bounding": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"effective": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"permitted": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"ambient": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			]
		},
		"rlimits": [
			{
				"type": "RLIMIT_NOFILE",
				"hard": 1024,
				"soft": 1024
			}
		],
		"noNewPrivileges": true
	},
	"root": {
		"path": "rootfs",
		"readonly": true
	},
	"hostname": "myruntime",
	"mounts": [
		{
			"destination": "/proc",
			"type": "proc",
			"source": "proc"
		},
		{
			"destination": "/dev",
			"type": "tmpfs",
			"source": "tmpfs",
			"options": [
				"nosuid",
				"strictatime",
				"mode=755",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/pts",
			"type": "devpts",
			"source": "devpts",
			"options": [
				"nosuid",
				"noexec",
				"newinstance",
				"ptmxmode=0666",
				"mode=0620",
				"gid=5"
			]
		},
		{
			"destination": "/dev/shm",
			"type": "tmpfs",
			"source": "shm",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"mode=1777",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/mqueue",
			"type": "mqueue",
			"source": "mqueue",
			"options": [
				"nosuid",
				"noexec",
				"nodev"
			]
		},
		{
			"destination": "/sys",
			"type": "sysfs",
			"source": "sysfs",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"ro"
			]
		}
	],
	"linux": {
		"resources": {
			"devices": [
				{
					"allow": false,
					"access": "rwm"
				}
			]
		},
		"namespaces": [
			{
				"type": "pid"
			},
			{
				"type": "network"
			},
			{
				"type": "ipc"
			},
			{
				"type": "uts"
			},
			{
				"type": "mount"
			},
			{
				"type": "cgroup"
			}
		],
		"maskedPaths": [
			"/proc/acpi",
			"/proc/asound",
			"/proc/kcore",
			"/proc/keys",
			"/proc/latency_stats",
			"/proc/timer_list",
			"/proc/timer_stats",
			"/proc/sched_debug",
			"/sys/firmware",
			"/proc/scsi"
		],
		"readonlyPaths": [
			"/proc/bus",
			"/proc/fs",
			"/proc/irq",
			"/proc/sys",
			"/proc/sysrq-trigger"
		]
	}
}
EOF

echo "mkimage-busybox: bundle ready at $dest" >&2
