#!/usr/bin/env bash
# Image pull benchmark: a multi-layer Debian image (debootstrap minbase, ~200 MB unpacked, four
# layers) served by a local registry (Debian's docker-registry on 127.0.0.1), pulled from an
# empty store each time by myruntime, `podman pull` and `skopeo copy` (to a local dir),
# alternating, after one untimed warm-up each. Prints medians and ratios.
#
#   bench/pull.sh            # N=5 pulls per tool
#   N=9 bench/pull.sh
#   MYRUNTIME=/path/to/myruntime bench/pull.sh
#
# Needs root and: docker-registry, skopeo, podman, debootstrap, jq (apt-get install them).
# The Debian rootfs is made once with debootstrap (needs the Debian mirror) and cached in
# $BENCH_CACHE (default /var/cache/myruntime-bench). Everything else lives in one temp dir,
# removed on exit with the registry it started.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${N:-5}"
MYRUNTIME="${MYRUNTIME:-$repo_root/bin/myruntime}"
CACHE="${BENCH_CACHE:-/var/cache/myruntime-bench}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

bench_name=pull
# shellcheck source=bench/lib/common.sh
. "$repo_root/bench/lib/common.sh"

[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer (got '$N')"
need root myruntime
for tool in docker-registry skopeo podman debootstrap jq sha256sum gzip; do
    command -v "$tool" >/dev/null || die "$tool is required (apt-get install ${tool/sha256sum/coreutils})"
done

bench_make_work myruntime-pull-bench
registry_pid=""
# On exit, before the mounts under the work dir (podman's overlay storage) and the work dir go: the registry.
cleanup_registry() {
    if [[ -n "$registry_pid" ]]; then kill "$registry_pid" 2>/dev/null; wait "$registry_pid" 2>/dev/null; fi
}
bench_traps cleanup_registry

# 1. The rootfs, made once.
rootfs="$CACHE/debian-bookworm-minbase"
if [[ ! -f "$rootfs/etc/debian_version" ]]; then
    echo "pull: making the Debian rootfs with debootstrap (once, cached in $CACHE)" >&2
    mkdir -p "$CACHE"
    rm -rf "$rootfs.tmp"
    debootstrap --variant=minbase bookworm "$rootfs.tmp" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
        die "debootstrap failed (see $CACHE/debootstrap.log)"
    mv "$rootfs.tmp" "$rootfs"
fi

# 2. An OCI layout with four gzip layers: the base without /usr, /usr/lib, /usr/share, the rest of /usr.
layout="$work/layout"
mkdir -p "$layout/blobs/sha256"
tar_layer() { # tar_layer ARGS... -> prints "diffid digest size" of the gzip layer it adds
    local t="$work/layer.tar"
    tar -C "$rootfs" --sort=name --numeric-owner --mtime=@0 --xattrs -cf "$t" "$@"
    local diff
    diff="$(sha256sum "$t" | cut -d' ' -f1)"
    gzip -n -6 -c "$t" > "$t.gz"
    local dig
    dig="$(sha256sum "$t.gz" | cut -d' ' -f1)"
    mv "$t.gz" "$layout/blobs/sha256/$dig"
    rm -f "$t"
    echo "$diff $dig $(stat -c %s "$layout/blobs/sha256/$dig")"
}
echo "pull: building the image's four layers" >&2
top=()
for e in "$rootfs"/* "$rootfs"/.[!.]*; do
    [[ -e "$e" ]] || continue
    name="${e##*/}"
    [[ "$name" == usr ]] || top+=("./$name")
done
layers=()
layers+=("$(tar_layer "${top[@]}")")
layers+=("$(tar_layer ./usr/lib)")
layers+=("$(tar_layer ./usr/share)")
layers+=("$(tar_layer --exclude=./usr/lib --exclude=./usr/share ./usr)")
diff_ids="$(printf '%s\n' "${layers[@]}" | awk '{print "sha256:" $1}' | jq -R . | jq -s .)"
config="$(jq -cn --argjson d "$diff_ids" '{architecture:"amd64",os:"linux",config:{Cmd:["/bin/bash"],Env:["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},rootfs:{type:"layers",diff_ids:$d}}')"
printf '%s' "$config" > "$work/config.json"
config_digest="$(sha256sum "$work/config.json" | cut -d' ' -f1)"
mv "$work/config.json" "$layout/blobs/sha256/$config_digest"
layer_descs="$(printf '%s\n' "${layers[@]}" | awk '{print $2, $3}' |
    jq -R 'split(" ") | {mediaType:"application/vnd.oci.image.layer.v1.tar+gzip",digest:("sha256:" + .[0]),size:(.[1]|tonumber)}' | jq -s .)"
manifest="$(jq -cn --argjson l "$layer_descs" --arg c "sha256:$config_digest" --argjson cs "$(stat -c %s "$layout/blobs/sha256/$config_digest")" \
    '{schemaVersion:2,mediaType:"application/vnd.oci.image.manifest.v1+json",config:{mediaType:"application/vnd.oci.image.config.v1+json",digest:$c,size:$cs},layers:$l}')"
printf '%s' "$manifest" > "$work/manifest.json"
manifest_digest="$(sha256sum "$work/manifest.json" | cut -d' ' -f1)"
manifest_size="$(stat -c %s "$work/manifest.json")"
mv "$work/manifest.json" "$layout/blobs/sha256/$manifest_digest"
jq -cn --arg d "sha256:$manifest_digest" --argjson s "$manifest_size" \
    '{schemaVersion:2,manifests:[{mediaType:"application/vnd.oci.image.manifest.v1+json",digest:$d,size:$s,annotations:{"org.opencontainers.image.ref.name":"bench"}}]}' > "$layout/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
compressed_mb="$(printf '%s\n' "${layers[@]}" | awk '{s += $3} END {printf "%.1f", s / 1048576}')"
unpacked_mb="$(du -sm "$rootfs" | cut -f1)"

# 3. A registry on a free loopback port.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 5555)"
cat > "$work/registry.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
EOF
# The registry reads every REGISTRY_* variable as configuration: start it without any.
# shellcheck disable=SC2046 # (one "-u NAME" pair per variable: the split is wanted)
env $(env | grep -o '^REGISTRY_[A-Z_]*' | sed 's/^/-u /') docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fs "http://127.0.0.1:$port/v2/" >/dev/null || die "registry did not start (see $work/registry.log)"
ref="127.0.0.1:$port/bench/debian:bookworm"
skopeo copy --quiet --dest-tls-verify=false "oci:$layout:bench" "docker://$ref" || die "skopeo could not push the image"

# 4. Timed pulls, each into an empty store.
seq_no=0
pull_one() { # pull_one TOOL -> sets elapsed_us
    local tool="$1" dir
    seq_no=$((seq_no + 1))
    dir="$work/stores/$tool-$seq_no"
    mkdir -p "$dir"
    local t0 t1 rc=0
    t0="$(now_us)"
    case "$tool" in
        myruntime) "$MYRUNTIME" --storage-root "$dir" pull -q "$ref" >"$work/out" 2>&1 || rc=$? ;;
        podman) podman --root "$dir/root" --runroot "$work/r$seq_no" --storage-driver overlay \
            pull -q --tls-verify=false "$ref" >"$work/out" 2>&1 || rc=$? ;;
        skopeo) skopeo copy --quiet --src-tls-verify=false "docker://$ref" "dir:$dir/image" >"$work/out" 2>&1 || rc=$? ;;
    esac
    t1="$(now_us)"
    elapsed_us=$((t1 - t0))
    if [[ $rc -ne 0 ]]; then
        echo "pull: $tool failed with exit code $rc:" >&2
        sed 's/^/  | /' "$work/out" >&2
        exit 1
    fi
    # Free the store at once (podman's through podman, so its mounts go too).
    if [[ "$tool" == podman ]]; then
        # (podman refuses a runroot path longer than 50 characters: it gets a short one)
        podman --root "$dir/root" --runroot "$work/r$seq_no" --storage-driver overlay system reset -f >/dev/null 2>&1 || true
        rm -rf "$work/r$seq_no"
    fi
    umount_under "$dir"
    rm -rf "$dir"
}

tools=(myruntime podman skopeo)
echo "pull: image $ref: 4 layers, $compressed_mb MB compressed, ${unpacked_mb} MB unpacked; $N timed pulls per tool" >&2
for tool in "${tools[@]}"; do pull_one "$tool"; : > "$work/times-$tool"; done
for ((i = 0; i < N; i++)); do
    for ((j = 0; j < ${#tools[@]}; j++)); do
        tool="${tools[$(((i + j) % ${#tools[@]}))]}"
        pull_one "$tool"
        echo "$elapsed_us" >> "$work/times-$tool"
    done
done

stats() { # stats FILE -> "median min max" in ms
    sort -n "$1" | awk '{ v[NR] = $1 } END { n = NR; med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2; printf "%.0f %.0f %.0f\n", med / 1000, v[1] / 1000, v[n] / 1000 }'
}
echo
echo "image pull from a local registry: $compressed_mb MB in 4 gzip layers (${unpacked_mb} MB unpacked), empty store each time, N=$N per tool"
printf '%-10s %11s %9s %9s  %s\n' tool median_ms min_ms max_ms what
declare -A median
for tool in "${tools[@]}"; do
    read -r med mn mx < <(stats "$work/times-$tool")
    median[$tool]=$med
    case "$tool" in
        myruntime) what="pull: download, verify, unpack into its store" ;;
        podman) what="pull: download, verify, unpack into containers/storage (overlay)" ;;
        skopeo) what="copy to a dir: download and verify only, no unpacking" ;;
    esac
    printf '%-10s %11s %9s %9s  %s\n' "$tool" "$med" "$mn" "$mx" "$what"
done
awk -v a="${median[myruntime]}" -v b="${median[podman]}" -v c="${median[skopeo]}" \
    'BEGIN { printf "ratio myruntime/podman: %.2fx (target <= 0.70)\nratio myruntime/skopeo: %.2fx\n", a / b, a / c }'
