#!/usr/bin/env bash
# Build the Kubernetes v1.20 control plane and node binaries from Debian's `kubernetes`
# source package, once. The result is cached outside the repository; a second run only
# checks that the binaries are there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"

VERSION="1.20.5+really1.20.2-1.1+deb12u1"
WHAT="kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl"
bin="$CACHE/kube/bin"
# Bump when the way the binaries are built changes: cached binaries of an older recipe are rebuilt.
RECIPE="2: vendored reflect2 1.0.2 from Debian"

# Build only what is missing: a binary added to WHAT later costs one target, not all.
missing=""
if [ "$(cat "$bin/.recipe" 2>/dev/null)" != "$RECIPE" ]; then
  missing="$WHAT"
else
  for b in $WHAT; do [ -x "$bin/$b" ] || missing="$missing $b"; done
fi
missing="${missing# }"
if [ -z "$missing" ]; then echo "kubernetes binaries cached in $bin"; exit 0; fi

apt_install golang-go rsync jq dpkg-dev make golang-github-modern-go-reflect2-dev

# apt-get source needs deb-src entries with the same URIs and keyring as the deb ones.
src_list=/etc/apt/sources.list.d/ordinal-deb-src.sources
if [ ! -f "$src_list" ]; then
  cat > "$src_list" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update -qq
fi

work="$CACHE/kube/src"
mkdir -p "$work"
cd "$work"
if ! ls kubernetes_*.dsc >/dev/null 2>&1; then
  log "downloading the kubernetes source package ($VERSION)"
  apt-get source --download-only "kubernetes=$VERSION"
fi
tree="$work/tree"
if [ ! -f "$tree/.unpacked" ]; then
  rm -rf "$tree"
  dpkg-source --no-check -x kubernetes_*.dsc "$tree" >/dev/null
  touch "$tree/.unpacked"
fi

# Kubernetes 1.20 vendors reflect2 1.0.1, which crashes under Go >= 1.18 (bookworm has 1.19):
# kube-apiserver segfaults in json-iterator on the first custom resource. 1.0.2 fixes it, and
# Debian packages it.
reflect2=/usr/share/gocode/src/github.com/modern-go/reflect2
vendored="$tree/vendor/github.com/modern-go/reflect2"
if ! cmp -s "$reflect2/reflect2.go" "$vendored/reflect2.go"; then
  log "replacing the vendored reflect2 with Debian's $(dpkg-query -W -f='${Version}' golang-github-modern-go-reflect2-dev)"
  rm -rf "$vendored"
  mkdir -p "$vendored"
  find "$reflect2" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' -o -name LICENSE \) ! -name '*_test.go' -exec cp {} "$vendored/" \;
fi

# Plain `go build -mod=vendor` fails on this tree; Kubernetes' own make, the way Debian's
# rules call it, works: a GOPATH inside the tree with k8s.io/kubernetes pointing back.
cd "$tree"
mkdir -p .go/src/k8s.io .home
ln -sfn ../../.. .go/src/k8s.io/kubernetes
log "building $missing (about 12 minutes on 2 cores for all of them, from scratch)"
started=$(date +%s)
targets=""
for b in $missing; do targets="$targets cmd/$b"; done
env GOPATH="$tree/.go" HOME="$tree/.home" CGO_ENABLED=0 GOFLAGS= GO111MODULE=off \
  make WHAT="${targets# }" >"$CACHE/kube/build.log" 2>&1 || {
  tail -30 "$CACHE/kube/build.log"; die "the kubernetes build failed (log: $CACHE/kube/build.log)"; }
mkdir -p "$bin"
for b in $missing; do install -m 0755 "_output/local/bin/linux/amd64/$b" "$bin/$b"; done
echo "$RECIPE" > "$bin/.recipe"
log "kubernetes binaries built in $(( $(date +%s) - started )) s into $bin"
