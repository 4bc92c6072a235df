#!/usr/bin/env bash
# Build the pod image `ordinal/mariadb:dev` and the CRI sandbox image `registry.k8s.io/pause:3.6`
# as docker-archive tars, and import them into containerd's k8s.io namespace (when it runs).
#   layer 1: a Debian bookworm rootfs with MariaDB (debootstrap), cached until the list changes
#   layer 2: Node (the host's) and Ordinal (bin/, dist/, package.json, production node_modules)
# Layers are written deterministically, so an unchanged repo gives the same image id and the
# import is skipped.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
source "$here/lib.sh"

IMAGE=ordinal/mariadb:dev
PAUSE_IMAGE=registry.k8s.io/pause:3.6
# galera-4 and the SST tools (socat, ss from iproute2, ps from procps; rsync for sstMethod rsync).
BASE_PACKAGES="mariadb-server,mariadb-backup,mariadb-client,prometheus-mysqld-exporter,zstd,ca-certificates,galera-4,socat,rsync,iproute2,procps"
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
out="$CACHE/image"
mkdir -p "$out"

step() { log "$1: $(since "$2")"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

# Same bytes for the same files: no timestamps or ordering of this build in the tar.
layer_tar() { # DIR OUT [TAR_OPTIONS...]
  local dir="$1" tar_out="$2" names; shift 2
  mapfile -t names < <(cd "$dir" && ls -A)
  tar --sort=name --mtime=@0 --numeric-owner "$@" -C "$dir" -cf "$tar_out.tmp" "${names[@]}"
  mv "$tar_out.tmp" "$tar_out"
}

# --- layer 1: the Debian rootfs --------------------------------------------------------------
BASE_RECIPE=2 # bump when the steps below change, so cached base layers are rebuilt
base_key="$(echo "$SUITE $BASE_PACKAGES $BASE_RECIPE" | sha256sum | cut -c1-16)"
rootfs="$out/base-$base_key"
base_tar="$out/base-$base_key.tar"
if [ ! -s "$base_tar" ]; then
  t=$(date +%s)
  apt_install debootstrap
  rm -rf "$rootfs"
  # Two stages, so a policy-rc.d is in place before mariadb-server's postinst could start it.
  debootstrap --foreign --variant=minbase --include="$BASE_PACKAGES" "$SUITE" "$rootfs" "$MIRROR" \
    >"$out/debootstrap.log" 2>&1 || die "debootstrap failed (log: $out/debootstrap.log)"
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
  chroot "$rootfs" /debootstrap/debootstrap --second-stage >>"$out/debootstrap.log" 2>&1 ||
    die "debootstrap (second stage) failed (log: $out/debootstrap.log)"
  rm -f "$rootfs/usr/sbin/policy-rc.d"
  rm -rf "$rootfs"/usr/share/{doc,man,info,locale,lintian}/* "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log \
    "$rootfs"/dev/* "$rootfs"/proc/* "$rootfs"/sys/*
  # The server's socket directory (a tmpfs on a real host); pods may mount an emptyDir over it.
  mkdir -p "$rootfs/run/mysqld"
  chroot "$rootfs" chown mysql:mysql /run/mysqld
  layer_tar "$rootfs" "$base_tar"
  sha "$base_tar" >"$base_tar.sha256"
  step "base layer (debootstrap $SUITE, $(du -sh "$base_tar" | cut -f1))" "$t"
else
  log "base layer cached: $base_tar"
fi
[ -s "$base_tar.sha256" ] || sha "$base_tar" >"$base_tar.sha256"

# The host's node must find every shared library it links against inside the rootfs.
for lib in $(ldd /usr/bin/node | awk '/=>/ {print $1}'); do
  ls "$rootfs"/usr/lib/x86_64-linux-gnu/"$lib" "$rootfs"/lib/x86_64-linux-gnu/"$lib" >/dev/null 2>&1 ||
    die "/usr/bin/node needs $lib, which the image's rootfs lacks"
done

# --- production node_modules, cached by the lock file ----------------------------------------
t=$(date +%s)
lock_key="$(sha "$repo/package-lock.json" | cut -c1-16)"
modules="$out/node_modules-$lock_key"
if [ ! -d "$modules/node_modules" ]; then
  rm -rf "$modules"; mkdir -p "$modules"
  cp "$repo/package.json" "$repo/package-lock.json" "$modules/"
  (cd "$modules" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund >npm.log 2>&1) ||
    die "npm ci failed (log: $modules/npm.log)"
  step "production node_modules" "$t"
fi
# `build-image.sh base` stops here: nothing above depends on this checkout's build, so it can run
# while the checkout is being built and tested (cluster.sh prepare).
if [ "${1:-}" = base ]; then log "base layer and production node_modules ready"; exit 0; fi

# --- layer 2: node and Ordinal -----------------------------------------------------------------
t=$(date +%s)
if ! (cd "$repo" && npm run --silent build >"$out/tsc.log" 2>&1); then
  # Others may be mid-edit; an image with the last good dist/ beats no cluster at all.
  [ -d "$repo/dist" ] || die "npm run build failed and there is no dist/ (log: $out/tsc.log)"
  log "WARNING: npm run build failed (log: $out/tsc.log); the image gets the existing dist/"
fi
step "npm run build" "$t"

t=$(date +%s)
app="$out/app"
rm -rf "$app"
mkdir -p "$app/usr/local/bin" "$app/opt/ordinal"
install -m 0755 /usr/bin/node "$app/usr/local/bin/node"
cp -a "$repo/bin" "$repo/dist" "$repo/package.json" "$app/opt/ordinal/"
cp -a "$modules/node_modules" "$app/opt/ordinal/"
layer_tar "$app" "$out/app.tar" --owner=0 --group=0
step "app layer ($(du -sh "$out/app.tar" | cut -f1))" "$t"

# --- the pause image: a static busybox sleeping forever ----------------------------------------
pause="$out/pause"
if [ ! -s "$out/pause.tar" ]; then
  apt_install busybox-static
  rm -rf "$pause"; mkdir -p "$pause/bin"
  install -m 0755 /bin/busybox "$pause/bin/busybox"
  layer_tar "$pause" "$out/pause.tar" --owner=0 --group=0
fi

# --- docker-archive and import ---------------------------------------------------------------
# write_archive NAME TAG CONFIG_JSON LAYER_TAR...: a docker-archive directory; prints the image id.
write_archive() {
  local name="$1" tag="$2" cfg="$3" dir="$out/archive-$1" layer diff layers=() diffs=() id
  shift 3
  rm -rf "$dir"; mkdir -p "$dir"
  for layer in "$@"; do
    if [ -s "$layer.sha256" ]; then diff="$(cat "$layer.sha256")"; else diff="$(sha "$layer")"; fi
    ln "$layer" "$dir/$diff.tar" 2>/dev/null || cp "$layer" "$dir/$diff.tar"
    layers+=("\"$diff.tar\""); diffs+=("\"sha256:$diff\"")
  done
  jq -n --argjson config "$cfg" --argjson diffs "[$(IFS=,; echo "${diffs[*]}")]" \
    '{architecture: "amd64", os: "linux", config: $config, rootfs: {type: "layers", diff_ids: $diffs}}' \
    >"$dir/config.json"
  id="$(sha "$dir/config.json")"
  mv "$dir/config.json" "$dir/$id.json"
  echo "[{\"Config\":\"$id.json\",\"RepoTags\":[\"$tag\"],\"Layers\":[$(IFS=,; echo "${layers[*]}")]}]" \
    >"$dir/manifest.json"
  echo "$id"
}

# import NAME TAG ID: skipped when containerd already holds this image id under that tag.
import() {
  local name="$1" tag="$2" id="$3" dir="$out/archive-$1" mark ref t
  mark="$RUN/containerd/imported/$name"
  case "${tag%%/*}" in *.*|*:*) ref="$tag" ;; *) ref="docker.io/$tag" ;; esac
  if [ "$(cat "$mark" 2>/dev/null)" = "$id" ] &&
     ctr -n k8s.io images ls -q "name==$ref" 2>/dev/null | grep -qx "$ref"; then
    log "$tag: unchanged (image id ${id:0:12}), import skipped"
    return 0
  fi
  t=$(date +%s)
  tar -C "$dir" -cf - manifest.json "$id.json" $(cd "$dir" && ls *.tar) |
    ctr -n k8s.io images import - >/dev/null || die "importing $tag failed"
  mkdir -p "$(dirname "$mark")"; echo "$id" >"$mark"
  step "imported $tag (image id ${id:0:12})" "$t"
}

env_path='"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]'
app_id="$(write_archive mariadb "$IMAGE" "{$env_path,\"WorkingDir\":\"/\"}" "$base_tar" "$out/app.tar")"
pause_id="$(write_archive pause "$PAUSE_IMAGE" \
  "{$env_path,\"Entrypoint\":[\"/bin/busybox\",\"sleep\",\"infinity\"]}" "$out/pause.tar")"

if ctr version >/dev/null 2>&1; then
  import pause "$PAUSE_IMAGE" "$pause_id"
  import mariadb "$IMAGE" "$app_id"
else
  log "containerd is not running: images built in $out, not imported"
fi
