// The test cluster's stand-in for CoreDNS: Debian ships none, so dnsmasq serves a hosts
// folder (it re-reads it on change) and this loop keeps one file there true.
//   node --import tsx e2e/cluster/dns-watch.ts KUBECONFIG HOSTS_FILE
// Polling with list calls (not watches): simple, and one list a second is nothing here.
import { writeFileSync, renameSync, readFileSync } from "node:fs";
import { CoreV1Api, KubeConfig, type V1Pod, type V1Service } from "@kubernetes/client-node";

const DOMAIN = "svc.cluster.local";
const [kubeconfigPath, hostsFile] = process.argv.slice(2);
if (!kubeconfigPath || !hostsFile) {
  console.error("usage: dns-watch.ts KUBECONFIG HOSTS_FILE");
  process.exit(2);
}

const kc = new KubeConfig();
kc.loadFromFile(kubeconfigPath);
const core = kc.makeApiClient(CoreV1Api);

// Pods with hostname+subdomain are StatefulSet members; not-ready ones included, because
// a starting instance must reach its peers (publishNotReadyAddresses semantics).
function podLines(pods: V1Pod[]): string[] {
  const lines: string[] = [];
  for (const pod of pods) {
    const { hostname, subdomain } = pod.spec ?? {};
    const ip = pod.status?.podIP;
    const ns = pod.metadata?.namespace;
    if (!hostname || !subdomain || !ip || !ns || pod.metadata?.deletionTimestamp) continue;
    lines.push(`${ip} ${hostname}.${subdomain}.${ns}.${DOMAIN}`);
  }
  return lines;
}

function serviceLines(services: V1Service[]): string[] {
  const lines: string[] = [];
  for (const svc of services) {
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === "None") continue;
    lines.push(`${ip} ${svc.metadata?.name}.${svc.metadata?.namespace}.${DOMAIN}`);
  }
  return lines;
}

function current(): string {
  try {
    return readFileSync(hostsFile, "utf8");
  } catch {
    return "";
  }
}

// Write to a temporary name and rename, so dnsmasq never reads half a file.
function publish(text: string): void {
  if (text === current()) return;
  const tmp = `${hostsFile}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, hostsFile);
  console.log(`${new Date().toISOString()} hosts: ${text.split("\n").filter(Boolean).length} names`);
}

async function tick(): Promise<void> {
  const [pods, services] = await Promise.all([
    core.listPodForAllNamespaces({}),
    core.listServiceForAllNamespaces({}),
  ]);
  const lines = [...podLines(pods.items), ...serviceLines(services.items)].sort();
  publish(lines.length ? lines.join("\n") + "\n" : "");
}

let stopping = false;
for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => (stopping = true));

let lastError = "";
while (!stopping) {
  try {
    await tick();
    lastError = "";
  } catch (err) {
    // Report each distinct failure once (the apiserver may be restarting), keep polling.
    const msg = err instanceof Error ? err.message : String(err);
    if (msg !== lastError) console.error(`${new Date().toISOString()} list failed: ${msg}`);
    lastError = msg;
  }
  await new Promise((r) => setTimeout(r, 1000));
}
