# Sourced by cluster.sh: the test cluster's secrets under $RUN/pki (all mode 0600).
# One CA signs the apiserver's serving cert; one static admin token (group system:masters,
# test only) is what every component and the admin kubeconfig authenticate with.

PKI="$RUN/pki"
KUBECONFIG_FILE="$RUN/kubeconfig"
APISERVER_PORT=6443
SERVICE_CIDR=10.96.0.0/16
SERVICE_IP=10.96.0.1
POD_CIDR=10.244.0.0/24
POD_GATEWAY=10.244.0.1

write_pki() {
  (
    umask 077
    mkdir -p "$PKI"
    cd "$PKI"
    if [ ! -s ca.crt ]; then
      openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=ordinal-e2e-ca \
        -keyout ca.key -out ca.crt 2>/dev/null
    fi
    if [ ! -s apiserver.crt ]; then
      openssl req -newkey rsa:2048 -nodes -subj /CN=kube-apiserver \
        -keyout apiserver.key -out apiserver.csr 2>/dev/null
      printf '%s\n' "subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:$SERVICE_IP,IP:$POD_GATEWAY" \
        "extendedKeyUsage=serverAuth" >apiserver.ext
      openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
        -extfile apiserver.ext -out apiserver.crt 2>/dev/null
      rm -f apiserver.csr apiserver.ext
    fi
    [ -s sa.key ] || openssl genrsa -out sa.key 2048 2>/dev/null
    [ -s token ] || openssl rand -hex 32 >token
    echo "$(cat token),admin,admin,system:masters" >tokens.csv
    if [ ! -s "$KUBECONFIG_FILE" ]; then
      cat >"$KUBECONFIG_FILE" <<KC
apiVersion: v1
kind: Config
clusters:
- name: ordinal-e2e
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(base64 -w0 ca.crt)
users:
- name: admin
  user:
    token: $(cat token)
contexts:
- name: ordinal-e2e
  context: {cluster: ordinal-e2e, user: admin, namespace: default}
current-context: ordinal-e2e
KC
    fi
  )
}
