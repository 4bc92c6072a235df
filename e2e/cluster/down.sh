# Sourced by cluster.sh: stop the test cluster and remove what it added to the host.
# Pods go first so their containers stop cleanly; then every daemon by its recorded pid,
# in reverse start order; then mounts, CNI and iptables state. $CACHE is never touched.

# Delete every pod while the controllers that would recreate them are stopped; the kubelet
# (still running) stops the containers, and the pods vanish once it has.
delete_pods() {
  daemon_pid kube-apiserver >/dev/null && daemon_pid kubelet >/dev/null || return 0
  stop_daemon kube-controller-manager
  stop_daemon kube-scheduler
  local n; n="$(kubectl get pods -A --no-headers --request-timeout=10s 2>/dev/null | wc -l)"
  ((n)) || return 0
  log "deleting $n pods"
  kubectl delete pods -A --all --grace-period=10 --wait=true --timeout=90s --request-timeout=100s >/dev/null 2>&1 ||
    log "warning: pods did not all go in 90s; their containers are killed below"
}

# Containers the kubelet left behind (it was gone, or a pod was stuck). Called with the
# kubelet stopped (it would restart them) and containerd still running.
kill_leftover_tasks() {
  daemon_pid containerd >/dev/null || return 0
  local ids id
  ids="$(ctr -n k8s.io tasks ls -q 2>/dev/null)"
  [ -n "$ids" ] || return 0
  log "killing $(wc -w <<<"$ids") containers the kubelet left running"
  for id in $ids; do ctr -n k8s.io tasks kill -s SIGKILL "$id" >/dev/null 2>&1; done
  sleep 1
  for id in $ids; do ctr -n k8s.io tasks delete -f "$id" >/dev/null 2>&1; done
}

# Shims outlive containerd on purpose; any still there are stopped by the pid files
# containerd wrote for them, and runc forgets their containers.
kill_leftover_shims() {
  local dir f pid
  for dir in "$RUN"/containerd/state/io.containerd.runtime.v2.task/k8s.io/*/; do
    [ -d "$dir" ] || continue
    for f in "$dir/init.pid" "$dir/shim.pid"; do
      pid="$(cat "$f" 2>/dev/null)" && [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null &&
        log "killed leftover container process $pid ($(basename "$dir" | cut -c1-12))"
    done
    runc --root /run/containerd/runc/k8s.io delete --force "$(basename "$dir")" >/dev/null 2>&1
  done
  # Pod network namespaces of sandboxes that were never torn down: those holding a pod address.
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '/^cni-/ {print $1}'); do
    ip netns exec "$ns" ip -4 -o addr show 2>/dev/null | grep -qF " ${POD_CIDR%.*}." &&
      ip netns delete "$ns" && log "deleted leftover network namespace $ns"
  done
}

# Mounts the kubelet (secrets, tokens) and containerd (rootfs, shm) made under $RUN, deepest first.
unmount_run() {
  local m
  for m in $(awk -v run="$RUN/" 'index($5, run) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "warning: cannot unmount $m"
  done
}

cluster_down() {
  # Best effort from here on: one failing step must not leave the rest running.
  set +e
  local purge="" d t
  [ "${1:-}" = "--purge" ] && purge=1
  t=$(date +%s)
  delete_pods
  for d in $(echo "$DAEMONS" | tr ' ' '\n' | tac); do
    [ "$d" = containerd ] && kill_leftover_tasks
    stop_daemon "$d"
  done
  kill_leftover_shims
  unmount_run
  clean_host_network
  if [ -n "$purge" ]; then
    rm -rf "$RUN"
    # Where the host-path provisioner puts dynamic volumes (fixed in Kubernetes' source).
    rm -rf /tmp/hostpath_pv
    log "purged $RUN"
  fi
  log "cluster down in $(since "$t")"
}
