# Sourced by cluster.sh: the Debian packages the test cluster runs on.

PACKAGES="etcd-server containerd runc containernetworking-plugins iptables conntrack dnsmasq-base
  debootstrap openssl jq curl iproute2 busybox-static"

# Debian's etcd and containerd packages start their own daemons on install; ours run with
# their own config, so a policy-rc.d forbids service starts while apt runs (kept if present).
install_packages() {
  local policy=/usr/sbin/policy-rc.d made=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 0755 "$policy"; made=1
  fi
  # shellcheck disable=SC2086
  apt_install $PACKAGES || { [ -z "$made" ] || rm -f "$policy"; return 1; }
  [ -z "$made" ] || rm -f "$policy"
  stop_debian_services
}

# If a Debian init script did start one anyway, stop it by its pid file (never by name).
stop_debian_services() {
  local f pid
  for f in /run/etcd.pid /run/containerd.pid /run/containerd/containerd.pid; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      log "stopping Debian's service from $f (pid $pid)"
      kill -TERM "$pid" || true
    fi
    rm -f "$f"
  done
}
