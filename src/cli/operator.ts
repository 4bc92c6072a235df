// `ordinal operator` (the Kubernetes operator) and `ordinal switchover` (ask it for a planned
// primary change through spec.primaryOrdinal, then wait until the status shows it), `ordinal
// rebuild`, and the kube options both share with the kubectl plugin (kubectl.ts).
import { Command, Option } from 'commander';
import { runOperator } from '../controllers/operator.js';
import { REBUILD_ANNOTATION } from '../api/cluster.js';
import { parseOrdinal } from '../builders/names.js';
import { CliError, kubeTarget, requestRebuild, requestSwitchover } from './kube-requests.js';

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
  return kubeOptions(new Command('switchover'))
    .argument('<name>', 'MySQLCluster name')
    .description('move the primary role to another instance, losing no write (Kubernetes)')
    .option('--to <ordinal>', 'the instance to promote (default: the ready replica with the least lag)')
    .option('--timeout <seconds>', 'how long to wait', '120')
    .action(async (name: string, o: KubeOptions & { to?: string; timeout: string }) => {
      const t = kubeTarget(o);
      const to = await requestSwitchover(t, name, o.to === undefined ? undefined : ordinalArg(o.to, '--to'), seconds(o.timeout));
      console.log(`switched over: instance ${to} of ${t.namespace}/${name} is the primary`);
    });
}

export function rebuildCommand(): Command {
  return kubeOptions(new Command('rebuild'))
    .argument('<name>', 'MySQLCluster name')
    .argument('<ordinal>', 'the replica to clone again (clears a quarantine)')
    .description('throw away a replica\'s data and clone it again (Kubernetes)')
    .action(async (name: string, ordinal: string, o: KubeOptions) => {
      const t = kubeTarget(o);
      await requestRebuild(t, name, ordinalArg(ordinal, '<ordinal>'));
      console.log(`rebuild of instance ${ordinal} of ${t.namespace}/${name} requested; the annotation ${REBUILD_ANNOTATION} goes when it is done (kubectl get events)`);
    });
}

export interface KubeOptions {
  namespace?: string;
  kubeconfig?: string;
  context?: string;
}

/** Which cluster and namespace, the way kubectl takes them. */
export function kubeOptions(command: Command): Command {
  return command
    .option('-n, --namespace <ns>', 'namespace (default: the context\'s, else default)')
    .option('--kubeconfig <file>', 'kubeconfig file')
    .option('--context <name>', 'kubeconfig context');
}

export function ordinalArg(v: string, what: string): number {
  const o = parseOrdinal(v);
  if (o === undefined) throw new CliError(`${what} must be an instance ordinal (0, 1, ...), got "${v}"`, 2);
  return o;
}

export function seconds(v: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new CliError(`--timeout must be a number of seconds, got "${v}"`, 2);
  return n;
}

function port(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} must be a port number, got "${v}"`);
  return n;
}
