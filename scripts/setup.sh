#!/usr/bin/env bash
# Set up everything Ordinal's sandbox and tests need on Debian (bookworm) with Node 20:
# MariaDB 10.11 server, backup tool and client, Galera and zstd from Debian, the npm dependencies, the build.
# Idempotent: a second run installs nothing and rebuilds quickly.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
# galera-4, socat, rsync and iproute2 (ss) for Galera clusters and their state transfers;
# prometheus for promtool, which checks and unit-tests the alert rules (deploy/prometheus);
# chromium for the dashboard's tests in a real browser.
for pkg in mariadb-server mariadb-backup mariadb-client zstd galera-4 socat rsync iproute2 prometheus chromium; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if ((${#need[@]})); then
  echo "installing Debian packages: ${need[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

node -e 'const [maj]=process.versions.node.split(".").map(Number); if (maj < 20) { console.error("Node 20 or newer is needed, found " + process.version); process.exit(1) }'

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent

# The kubectl plugin: kubectl finds `kubectl-ordinal` on the PATH (`kubectl ordinal status NAME`).
plugin="$(pwd)/bin/kubectl-ordinal"
if [ "$(id -u)" = 0 ]; then
  ln -sf "$plugin" /usr/local/bin/kubectl-ordinal
elif [ -d "$HOME/.local/bin" ] && [[ ":$PATH:" == *":$HOME/.local/bin:"* ]]; then
  ln -sf "$plugin" "$HOME/.local/bin/kubectl-ordinal"
else
  echo "for the kubectl plugin, put $plugin on your PATH (e.g. ln -s $plugin ~/.local/bin/)"
fi
echo "ordinal is set up: npx ordinal --help, kubectl ordinal --help"
