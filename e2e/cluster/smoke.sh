#!/usr/bin/env bash
# Smoke test of the running test cluster: the things the operator will rely on.
#   StatefulSet pod with a PVC from StorageClass `standard`, on image ordinal/mariadb:dev;
#   its stable DNS name through the headless Service, seen from another pod;
#   a ClusterIP Service reaching a real mariadbd, from a pod and from the host;
#   node and mariadbd run inside the image.
# Everything it creates is deleted at the end; any failed check exits non-zero.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
kubectl() { "$KUBE_BIN/kubectl" --kubeconfig "$RUN/kubeconfig" -n default "$@"; }

t0=$(date +%s)
fail() { log "SMOKE FAILED: $*"; exit 1; }
ok() { log "ok [$(since "$t0")]: $*"; }
cleanup() {
  kubectl delete statefulset/smoke service/smoke-headless service/smoke-db pod/smoke-db \
    --ignore-not-found --wait=true --timeout=90s >/dev/null 2>&1 || true
  kubectl delete pvc -l app=smoke --ignore-not-found --wait=true --timeout=60s >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

kubectl apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: smoke-headless, labels: {app: smoke}}
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector: {app: smoke}
  ports: [{name: mysql, port: 3306}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: smoke, labels: {app: smoke}}
spec:
  serviceName: smoke-headless
  replicas: 1
  selector: {matchLabels: {app: smoke}}
  template:
    metadata: {labels: {app: smoke}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: ordinal/mariadb:dev
        imagePullPolicy: Never
        command: [sleep, infinity]
        volumeMounts: [{name: data, mountPath: /var/lib/mysql}]
  volumeClaimTemplates:
  - metadata: {name: data, labels: {app: smoke}}
    spec:
      storageClassName: standard
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: smoke-db, labels: {app: smoke-db}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: mariadb
    image: ordinal/mariadb:dev
    imagePullPolicy: Never
    command: [bash, -c, 'mariadb-install-db --user=mysql --datadir=/tmp/db >/dev/null &&
      exec mariadbd --user=mysql --datadir=/tmp/db --bind-address=0.0.0.0 --port=3306 --skip-log-bin
      --skip-grant-tables --skip-name-resolve']
    readinessProbe:
      tcpSocket: {port: 3306}
      periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata: {name: smoke-db, labels: {app: smoke}}
spec:
  selector: {app: smoke-db}
  ports: [{name: mysql, port: 3306}]
YAML

kubectl rollout status statefulset/smoke --timeout=120s >/dev/null || fail "StatefulSet smoke not Ready"
kubectl wait --for=condition=Ready pod/smoke-db --timeout=120s >/dev/null || fail "pod smoke-db not Ready"
ok "StatefulSet pod and mariadbd pod Ready ($(since "$t0"))"

[ "$(kubectl get pvc data-smoke-0 -o jsonpath='{.status.phase}')" = Bound ] || fail "PVC data-smoke-0 not Bound"
ok "PVC data-smoke-0 Bound ($(kubectl get pvc data-smoke-0 -o jsonpath='{.spec.volumeName}'))"

in_pod() { local pod="$1"; shift; kubectl exec "$pod" -- "$@"; }
node_v="$(in_pod smoke-0 node --version)" || fail "node does not run in the image"
maria_v="$(in_pod smoke-0 mariadbd --version)" || fail "mariadbd does not run in the image"
ok "in the image: node $node_v; ${maria_v%% for*}"
in_pod smoke-0 test -f /opt/ordinal/bin/ordinal.js || fail "/opt/ordinal/bin/ordinal.js missing"
in_pod smoke-0 sh -c 'touch /var/lib/mysql/probe && rm /var/lib/mysql/probe' || fail "PVC not writable"

# retry SECONDS CMD...: names appear within a second or two (watcher poll, dnsmasq reload).
retry() { local s="$1" i; shift; for ((i = 0; i < s; i++)); do "$@" && return 0; sleep 1; done; return 1; }

name=smoke-0.smoke-headless.default.svc.cluster.local
pod_ip="$(kubectl get pod smoke-0 -o jsonpath='{.status.podIP}')"
resolves_to() { [ "$(in_pod smoke-db getent hosts "$1" 2>/dev/null | awk '{print $1}')" = "$2" ]; }
retry 20 resolves_to "$name" "$pod_ip" || fail "$name does not resolve to $pod_ip from pod smoke-db"
ok "$name -> $pod_ip (from pod smoke-db)"

svc=smoke-db.default.svc.cluster.local
svc_ip="$(kubectl get service smoke-db -o jsonpath='{.spec.clusterIP}')"
retry 20 resolves_to "$svc" "$svc_ip" || fail "$svc does not resolve to $svc_ip"
# Test-only server (no grant tables): any client may query it, so a real round trip is checked.
version="$(in_pod smoke-0 timeout 10 mariadb -h "$svc" -P 3306 -u smoke -N -e 'SELECT VERSION()')" ||
  fail "no SQL answer from $svc:3306 in pod smoke-0"
ok "pod smoke-0 -> Service $svc ($svc_ip):3306: SELECT VERSION() = $version"

# From the host (an operator may run out of cluster): the server's greeting names its version.
greeting='exec 3<>/dev/tcp/$0/3306 && timeout 5 head -c 80 <&3 | tr -dc "[:print:]"'
db_ip="$(kubectl get pod smoke-db -o jsonpath='{.status.podIP}')"
for target in "$db_ip" "$svc_ip"; do
  reply="$(timeout 5 bash -c "$greeting" "$target")" || true
  [[ "$reply" == *MariaDB* ]] || fail "the host gets no MariaDB greeting from $target:3306"
done
ok "host -> pod IP $db_ip:3306 and ClusterIP $svc_ip:3306 answer"

# An in-cluster operator: the apiserver through the `kubernetes` Service, TLS checked against
# the service account's CA.
sa=/var/run/secrets/kubernetes.io/serviceaccount
ready="$(in_pod smoke-0 env NODE_EXTRA_CA_CERTS=$sa/ca.crt node -e \
  'fetch("https://kubernetes.default.svc.cluster.local/readyz").then(r => r.text()).then(console.log)')" ||
  fail "the apiserver is not reachable from a pod through the kubernetes Service"
[ "$ready" = ok ] || fail "the apiserver's /readyz from a pod said: $ready"
ok "pod smoke-0 -> https://kubernetes.default.svc.cluster.local/readyz: ok"

cleanup
trap - EXIT
[ -z "$(kubectl get pvc -l app=smoke -o name)" ] || fail "PVCs left behind"
ok "smoke test passed in $(since "$t0"), everything deleted"
