#!/usr/bin/env bash
# The end-to-end test cluster: a real single-node Kubernetes v1.20 from Debian packages.
#   cluster.sh up | prepare | down [--purge] | status | env
# Facts and traps: shared/brief/kube-on-debian.md. Binaries and images are cached in $CACHE,
# the running cluster (pids, logs, config, etcd, containerd) lives in $RUN.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
source "$here/lib.sh"
source "$here/packages.sh"
source "$here/pki.sh"
source "$here/node-config.sh"
source "$here/down.sh"

# Start order; `down` stops them in reverse.
DAEMONS="etcd kube-apiserver containerd kube-controller-manager kube-scheduler kubelet kube-proxy dnsmasq dns-watch"

kubectl() { "$KUBE_BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

# Ports are picked when etcd starts (fixed ones were seen taken) and kept in $RUN/etcd.port.
start_etcd() {
  if daemon_pid etcd >/dev/null && [ -s "$RUN/etcd.port" ]; then
    ETCD_PORT="$(cat "$RUN/etcd.port")"; return 0
  fi
  stop_daemon kube-apiserver # it would keep talking to the old port
  ETCD_PORT="$(free_port 23790)"; ETCD_PEER_PORT="$(free_port $((ETCD_PORT + 1)))"
  echo "$ETCD_PORT" >"$RUN/etcd.port"
  start_daemon etcd /usr/bin/etcd --name "$NODE_NAME" --data-dir "$RUN/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "$NODE_NAME=http://127.0.0.1:$ETCD_PEER_PORT" --listen-metrics-urls ""
}

# Binds all addresses and advertises the pod gateway: in-cluster clients reach it through the
# `kubernetes` Service (10.96.0.1 -> 10.244.0.1:6443); the kubeconfig uses 127.0.0.1.
start_apiserver() {
  start_daemon kube-apiserver "$KUBE_BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address 0.0.0.0 --secure-port "$APISERVER_PORT" --insecure-port 0 \
    --advertise-address "$POD_GATEWAY" \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" --token-auth-file "$PKI/tokens.csv" \
    --service-account-key-file "$PKI/sa.key" --service-account-signing-key-file "$PKI/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --authorization-mode RBAC --service-cluster-ip-range "$SERVICE_CIDR" --allow-privileged=true
}

start_controllers() {
  start_daemon kube-controller-manager "$KUBE_BIN/kube-controller-manager" \
    --kubeconfig "$KUBECONFIG_FILE" --controllers '*,-nodeipam' --enable-hostpath-provisioner=true \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --leader-elect=false --port 0 --bind-address 127.0.0.1
  start_daemon kube-scheduler "$KUBE_BIN/kube-scheduler" \
    --kubeconfig "$KUBECONFIG_FILE" --leader-elect=false --port 0 --bind-address 127.0.0.1
}

start_node() {
  start_daemon kubelet "$KUBE_BIN/kubelet" --kubeconfig "$KUBECONFIG_FILE" \
    --config "$RUN/kubelet/config.yaml" --root-dir "$RUN/kubelet/root" --cert-dir "$RUN/kubelet/pki" \
    --container-runtime remote --container-runtime-endpoint "unix://$CONTAINERD_SOCK" \
    --hostname-override "$NODE_NAME"
  # conntrack limits are left alone: this VM may not let them be written.
  start_daemon kube-proxy "$KUBE_BIN/kube-proxy" --kubeconfig "$KUBECONFIG_FILE" \
    --proxy-mode iptables --hostname-override "$NODE_NAME" --cluster-cidr "$POD_CIDR" \
    --conntrack-max-per-core 0 --conntrack-tcp-timeout-established 0 --conntrack-tcp-timeout-close-wait 0
  # DNS for pods (Debian has no CoreDNS): cluster names from the hosts folder the watcher keeps
  # true, nothing else under cluster.local is forwarded upstream.
  touch "$RUN/dns/hosts/cluster"
  start_daemon dnsmasq /usr/sbin/dnsmasq --keep-in-foreground --log-facility=- --no-hosts \
    --hostsdir "$RUN/dns/hosts" --listen-address "$POD_GATEWAY" --bind-interfaces \
    --local=/cluster.local/ --domain-needed --pid-file= --user=root
  (cd "$repo" && start_daemon dns-watch /usr/bin/node --import tsx "$here/dns-watch.ts" \
    "$KUBECONFIG_FILE" "$RUN/dns/hosts/cluster")
}

apiserver_ready() { [ "$(curl -s --max-time 2 --cacert "$PKI/ca.crt" "https://127.0.0.1:$APISERVER_PORT/readyz")" = ok ]; }
node_ready() {
  [ "$(kubectl get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

apply_storage_class() {
  kubectl apply -f - >/dev/null <<'YAML'
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/host-path
reclaimPolicy: Delete
volumeBindingMode: Immediate
YAML
}

# The slow, cached part of `up` that starts nothing: Kubernetes built from source, the Debian
# packages, the image's base layer. npm test runs it beside the fast suite (scripts/test-all.sh).
cluster_prepare() {
  local t
  t=$(date +%s); bash "$here/build-kube.sh" >&2; log "kubernetes binaries: $(since "$t")"
  t=$(date +%s); install_packages; log "Debian packages: $(since "$t")"
  t=$(date +%s); bash "$here/build-image.sh" base; log "image base: $(since "$t")"
}

cluster_up() {
  local t0 t; t0=$(date +%s)
  cluster_prepare
  mkdir -p "$RUN"; chmod 0700 "$RUN"
  write_pki
  write_node_config
  setup_host_network

  start_etcd
  wait_for 30 "etcd on port $ETCD_PORT" listens_on etcd "$ETCD_PORT"
  wait_for 30 "etcd health" curl -sf "http://127.0.0.1:$ETCD_PORT/health"
  if ! daemon_pid kube-apiserver >/dev/null && ss -ltnH "sport = :$APISERVER_PORT" | grep -q .; then
    die "port $APISERVER_PORT is taken by another process; the test cluster's apiserver needs it"
  fi
  start_apiserver
  start_daemon containerd /usr/bin/containerd --config "$RUN/containerd/config.toml"
  wait_for 30 "containerd" ctr version
  # The images build while the apiserver starts.
  t=$(date +%s); bash "$here/build-image.sh"; log "images: $(since "$t")"
  wait_for 120 "the apiserver's /readyz" apiserver_ready
  listens_on kube-apiserver "$APISERVER_PORT" || die "something else answers on port $APISERVER_PORT"
  log "apiserver ready"

  start_controllers
  start_node
  wait_for 180 "node $NODE_NAME to be Ready" node_ready
  apply_storage_class
  log "cluster up in $(since "$t0")"
  cat <<EOF
The test cluster is up (node $NODE_NAME, pods $POD_CIDR, services $SERVICE_CIDR).
  export KUBECONFIG=$KUBECONFIG_FILE
  kubectl: $KUBE_BIN/kubectl     (or: eval "\$(bash $here/cluster.sh env)")
  images:  ordinal/mariadb:dev (imagePullPolicy: Never), StorageClass: standard (default)
EOF
}

cluster_status() {
  local d pid
  for d in $DAEMONS; do
    if pid="$(daemon_pid "$d")"; then printf '%-24s running (pid %s)\n' "$d" "$pid"
    else printf '%-24s stopped\n' "$d"; fi
  done
  if daemon_pid kube-apiserver >/dev/null && node_ready; then echo "node $NODE_NAME: Ready"
  else echo "node $NODE_NAME: not Ready"; return 1; fi
}

case "${1:-}" in
  up) cluster_up ;;
  prepare) cluster_prepare ;;
  down) shift; cluster_down "$@" ;;
  status) cluster_status ;;
  env) echo "export KUBECONFIG=$KUBECONFIG_FILE; export PATH=$KUBE_BIN:\$PATH" ;;
  *) echo "usage: cluster.sh up | prepare | down [--purge] | status | env" >&2; exit 2 ;;
esac
