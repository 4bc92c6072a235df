// `ordinal operator` (the Kubernetes operator) and `ordinal switchover` (ask it for a planned
// primary change through spec.primaryOrdinal, then wait until the status shows it).
import { Command, Option } from 'commander';
import { runOperator } from '../controllers/operator.js';
import { CLUSTER_API, REBUILD_ANNOTATION } from '../api/cluster.js';
import { parseOrdinal } from '../builders/names.js';
import { loadKubeConfig } from '../kube/client.js';
import { kubeRequest } from '../kube/request.js';

export const DEFAULT_IMAGE = 'ordinal/mariadb:dev';

export function operatorCommand(): Command {
  return new Command('operator')
    .description('run the Kubernetes operator (in a pod, or outside the cluster with --kubeconfig)')
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, the service account, ~/.kube/config)')
    .option('--namespace <ns>', 'watch only this namespace (default: all)')
    .option('--image <image>', 'MariaDB+agent image for clusters without spec.engine.image', process.env.ORDINAL_IMAGE ?? DEFAULT_IMAGE)
    .option('--leader-elect', 'elect one active operator among several through a Lease', false)
    .option('--lease-name <name>', 'the Lease', 'ordinal-operator')
    .option('--lease-namespace <ns>', 'namespace of the Lease', process.env.POD_NAMESPACE ?? 'default')
    .option('--identity <id>', 'this process in the Lease (default: POD_NAME or host-pid)')
    .option('--health-port <port>', '/healthz, /readyz and /metrics', '8080')
    .addOption(new Option('--tick-ms <ms>', 'HA loop period').default('500').hideHelp())
    .action(async (o: { kubeconfig?: string; namespace?: string; image: string; leaderElect: boolean; leaseName: string; leaseNamespace: string; identity?: string; healthPort: string; tickMs: string }) => {
      await runOperator({
        kubeconfig: o.kubeconfig,
        namespace: o.namespace,
        image: o.image,
        leaderElect: o.leaderElect,
        leaseName: o.leaseName,
        leaseNamespace: o.leaseNamespace,
        identity: o.identity,
        healthPort: port(o.healthPort, '--health-port'),
        tickMs: Number(o.tickMs),
      });
    });
}

export function switchoverCommand(): Command {
  return new Command('switchover')
    .argument('<name>', 'MySQLCluster name')
    .description('move the primary role to another instance, losing no write (Kubernetes)')
    .requiredOption('--to <ordinal>', 'the instance to promote')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--kubeconfig <file>', 'kubeconfig file')
    .option('--timeout <seconds>', 'how long to wait', '120')
    .action(async (name: string, o: { to: string; namespace: string; kubeconfig?: string; timeout: string }) => {
      const to = parseOrdinal(o.to);
      if (to === undefined) throw new Error(`--to must be an instance ordinal (0, 1, ...), got "${o.to}"`);
      const kc = loadKubeConfig({ kubeconfig: o.kubeconfig });
      const path = `/apis/${CLUSTER_API.apiVersion}/namespaces/${o.namespace}/mysqlclusters/${name}`;
      await kubeRequest(kc, { method: 'PATCH', path, body: { spec: { primaryOrdinal: to } }, contentType: 'application/merge-patch+json' });
      const deadline = Date.now() + Number(o.timeout) * 1000;
      for (;;) {
        const c = await kubeRequest<{ status?: { primary?: number; message?: string } }>(kc, { method: 'GET', path });
        if (c.status?.primary === to) break;
        if (Date.now() > deadline) throw new Error(`instance ${to} is not the primary after ${o.timeout} s: ${c.status?.message ?? 'no status'}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      console.log(`switched over: instance ${to} of ${o.namespace}/${name} is the primary`);
    });
}

export function rebuildCommand(): Command {
  return new Command('rebuild')
    .argument('<name>', 'MySQLCluster name')
    .argument('<ordinal>', 'the replica to clone again (clears a quarantine)')
    .description('throw away a replica\'s data and clone it again (Kubernetes)')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--kubeconfig <file>', 'kubeconfig file')
    .action(async (name: string, ordinal: string, o: { namespace: string; kubeconfig?: string }) => {
      if (parseOrdinal(ordinal) === undefined) throw new Error(`<ordinal> must be an instance ordinal (0, 1, ...), got "${ordinal}"`);
      const kc = loadKubeConfig({ kubeconfig: o.kubeconfig });
      const path = `/apis/${CLUSTER_API.apiVersion}/namespaces/${o.namespace}/mysqlclusters/${name}`;
      await kubeRequest(kc, { method: 'PATCH', path, body: { metadata: { annotations: { [REBUILD_ANNOTATION]: ordinal } } }, contentType: 'application/merge-patch+json' });
      console.log(`rebuild of instance ${ordinal} of ${o.namespace}/${name} requested; the annotation ${REBUILD_ANNOTATION} goes when it is done (kubectl get events)`);
    });
}

function port(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} must be a port number, got "${v}"`);
  return n;
}
