# Sourced by cluster.sh: the node's configuration (containerd, CNI, kubelet) and host network.
# Everything lives under $RUN so that `down` can remove exactly what `up` made.

NODE_NAME=ordinal-e2e
CONTAINERD_SOCK=/run/containerd/containerd.sock
CNI_NET=ordinal-e2e
HOSTS_MARK="# ordinal-e2e node"

write_node_config() {
  mkdir -p "$RUN/bin" "$RUN/containerd" "$RUN/cni/net.d" "$RUN/kubelet" "$RUN/dns/hosts"
  install -m 0755 "$here/runc-wrapper.sh" "$RUN/bin/runc-wrapper"

  cat >"$RUN/containerd/config.toml" <<TOML
version = 2
root = "$RUN/containerd/root"
state = "$RUN/containerd/state"
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.6"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$RUN/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$RUN/bin/runc-wrapper"
TOML

  cat >"$RUN/cni/net.d/10-$CNI_NET.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "$CNI_NET",
  "plugins": [
    {
      "type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$RUN/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$POD_GATEWAY"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
JSON

  # Test only: anonymous, always-allow kubelet API (apiserver -> kubelet for logs and exec).
  cat >"$RUN/kubelet/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
failSwapOn: false
clusterDNS: ["$POD_GATEWAY"]
clusterDomain: cluster.local
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
evictionHard: {memory.available: "100Mi", nodefs.available: "2%", imagefs.available: "2%"}
imageGCHighThresholdPercent: 100
serializeImagePulls: false
YAML
}

# The pod bridge exists before any pod: dnsmasq listens on its gateway address, the
# apiserver advertises it, and the host reaches pod IPs through its connected route.
setup_host_network() {
  sysctl -qw net.ipv4.ip_forward=1
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null || log "warning: no bridge netfilter"
  if ! ip link show cni0 >/dev/null 2>&1; then
    ip link add cni0 type bridge
  fi
  ip addr show dev cni0 | grep -qF "$POD_GATEWAY/" || ip addr add "$POD_GATEWAY/24" dev cni0
  ip link set cni0 up
  # The apiserver reaches the kubelet (logs, exec) by the node's name.
  grep -qF "$HOSTS_MARK" /etc/hosts || echo "127.0.0.1 $NODE_NAME $HOSTS_MARK" >>/etc/hosts
}

# Undo setup_host_network and what the CNI plugins and kube-proxy added (the sysctls stay).
clean_host_network() {
  local ipt
  ip link del cni0 2>/dev/null || true
  if grep -qF "$HOSTS_MARK" /etc/hosts; then
    # Rewrite in place: /etc/hosts may be a bind mount that a rename would break.
    local kept; kept="$(grep -vF "$HOSTS_MARK" /etc/hosts)"
    printf '%s\n' "$kept" >/etc/hosts
  fi
  for ipt in iptables ip6tables; do clean_chains "$ipt"; done
  rm -rf "$RUN/cni/ipam" /var/lib/cni/results/"$CNI_NET"-*
}

# Delete every jump to a KUBE-* or CNI-* chain, then those chains, in every table.
clean_chains() {
  local ipt="$1" table rule chain
  command -v "$ipt" >/dev/null || return 0
  for table in nat filter mangle; do
    "$ipt" -t "$table" -S >/dev/null 2>&1 || continue
    while IFS= read -r rule; do
      eval "$ipt -t $table -D ${rule#-A }" 2>/dev/null || true
    done < <("$ipt" -t "$table" -S 2>/dev/null | grep -E '^-A [A-Z]+ .*-j (KUBE|CNI)-' | grep -vE '^-A (KUBE|CNI)-')
    for chain in $("$ipt" -t "$table" -S 2>/dev/null | sed -nE 's/^-N ((KUBE|CNI)-[^ ]+)$/\1/p'); do
      "$ipt" -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $("$ipt" -t "$table" -S 2>/dev/null | sed -nE 's/^-N ((KUBE|CNI)-[^ ]+)$/\1/p'); do
      "$ipt" -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}
