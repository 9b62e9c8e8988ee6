#!/usr/bin/env bash
# Machine setup for the rootless tests (run as root, idempotent): the unprivileged user myrt-rootless with a home
# under /home, and subordinate id ranges for it in /etc/subuid and /etc/subgid when it has none. Nothing else.
#
#   scripts/rootless-user.sh
set -euo pipefail

user=myrt-rootless
range_start=200000
range_size=65536

[ "$(id -u)" = 0 ] || { echo "rootless-user: must run as root" >&2; exit 1; }

if ! id -u "$user" >/dev/null 2>&1; then
    useradd --create-home --home-dir "/home/$user" --shell /bin/sh --user-group "$user"
fi

for file in /etc/subuid /etc/subgid; do
    touch "$file"
    if ! grep -q "^$user:" "$file"; then
        echo "$user:$range_start:$range_size" >> "$file"
    fi
done
