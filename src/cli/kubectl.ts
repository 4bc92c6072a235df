// `kubectl ordinal ...`: the kubectl plugin (bin/kubectl-ordinal, found on the PATH by kubectl).
// It acts with the person's own kubeconfig, so RBAC decides what they may do. Flags follow
// kubectl's (-n, --context, --kubeconfig, -o). Exit codes: 0 done, 1 refused or failed,
// 2 bad usage, 3 no such cluster, 4 the API server refused the request (RBAC, credentials).
import { Command, CommanderError } from 'commander';
import { stringify } from 'yaml';
import { clusterTree } from './cluster-tree.js';
import { CliError, getCluster, kubeTarget } from './kube-requests.js';
import { kubeOptions, rebuildCommand, switchoverCommand, type KubeOptions } from './operator.js';

function statusCommand(): Command {
  return kubeOptions(new Command('status'))
    .argument('<name>', 'MySQLCluster name')
    .description('the topology: the primary above its replicas (Galera nodes side by side), roles, readiness, lag, errant instances, Services')
    .option('-o, --output <format>', 'text, json or yaml', 'text')
    .action(async (name: string, o: KubeOptions & { output: string }) => {
      if (!['text', 'json', 'yaml'].includes(o.output)) throw new CliError(`-o must be text, json or yaml, got "${o.output}"`, 2);
      const c = await getCluster(kubeTarget(o), name);
      const doc = { name: c.name, namespace: c.namespace, mode: c.mode ?? 'primaryReplica', status: c.status ?? {} };
      if (o.output === 'json') console.log(JSON.stringify(doc, null, 2));
      else if (o.output === 'yaml') process.stdout.write(stringify(doc));
      else console.log(clusterTree(c));
    });
}

export function kubectlProgram(): Command {
  const program = new Command('kubectl ordinal')
    .description('Ordinal\'s MariaDB clusters from kubectl: status, switchover, rebuild')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(statusCommand());
  program.addCommand(switchoverCommand());
  program.addCommand(rebuildCommand());
  for (const c of program.commands) c.exitOverride();
  return program;
}

export async function runKubectl(argv: string[]): Promise<number> {
  try {
    await kubectlProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    console.error(`error: ${(err as Error).message}`);
    return err instanceof CliError ? err.exitCode : 1;
  }
}
