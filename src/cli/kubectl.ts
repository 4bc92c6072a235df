// `kubectl ordinal ...`: the kubectl plugin (bin/kubectl-ordinal, found on the PATH by kubectl).
// It acts with the person's own kubeconfig, so RBAC decides what they may do. Flags follow
// kubectl's (-n, --context, --kubeconfig, -o). Exit codes: 0 done, 1 refused or failed,
// 2 bad usage, 3 no such cluster, 4 the API server refused the request (RBAC, credentials).
import { Command, CommanderError } from 'commander';
import { stringify } from 'yaml';
import { clusterTree } from './cluster-tree.js';
import { KubeSource } from '../dashboard/kube-source.js';
import { dashboardOptions, serveDashboard } from './dashboard.js';
import { CliError, createBackup, createRestore, getCluster, kubeTarget, waitForBackup, waitForRestore } from './kube-requests.js';
import { kubeOptions, rebuildCommand, seconds, switchoverCommand, type KubeOptions } from './operator.js';

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

function backupCommand(): Command {
  return kubeOptions(new Command('backup'))
    .argument('<name>', 'MySQLCluster name')
    .description('a MySQLBackup now, with the settings of the cluster\'s MySQLBackupSchedule; waits until it is done unless --no-wait')
    .option('--from-schedule <schedule>', 'the MySQLBackupSchedule to copy (needed when the cluster has several)')
    .option('--no-wait', 'return once the MySQLBackup is created')
    .option('--timeout <seconds>', 'how long to wait', '3600')
    .action(async (name: string, o: KubeOptions & { fromSchedule?: string; wait: boolean; timeout: string }) => {
      const t = kubeTarget(o);
      const backup = await createBackup(t, name, o.fromSchedule);
      console.log(`mysqlbackup/${backup} created`);
      if (!o.wait) return;
      const b = await waitForBackup(t, backup, seconds(o.timeout));
      console.log(`mysqlbackup/${backup} completed at GTID ${b.status?.gtid ?? '?'}; restore it with: kubectl ordinal restore ${name} --backup ${backup} --as NEWNAME`);
    });
}

function restoreCommand(): Command {
  return kubeOptions(new Command('restore'))
    .argument('<name>', 'the MySQLCluster whose backup is restored (it is not touched)')
    .requiredOption('--as <new>', 'the new MySQLCluster to create')
    .option('--backup <backup>', 'a completed MySQLBackup of the cluster (default: the newest)')
    .option('--point-in-time <time>', 'replay the archived binary logs up to this RFC 3339 time')
    .option('--no-wait', 'return once the MySQLRestore is created')
    .option('--timeout <seconds>', 'how long to wait', '3600')
    .description('restore a backup into a new cluster (a MySQLRestore); waits until the new cluster runs unless --no-wait')
    .action(async (name: string, o: KubeOptions & { as: string; backup?: string; pointInTime?: string; wait: boolean; timeout: string }) => {
      const t = kubeTarget(o);
      const made = await createRestore(t, name, { as: o.as, backup: o.backup, pointInTime: o.pointInTime });
      console.log(`mysqlrestore/${made.restore} created from mysqlbackup/${made.backup}`);
      if (!o.wait) return;
      await waitForRestore(t, made.restore, seconds(o.timeout));
      console.log(`mysqlcluster/${o.as} restored`);
    });
}

function dashboardCommand(): Command {
  return dashboardOptions(kubeOptions(new Command('dashboard')))
    .description('the namespace\'s clusters in a browser, with your kubeconfig\'s rights; prints a one-time URL on 127.0.0.1')
    .action(async (o: KubeOptions & { port: string; readOnly?: boolean; open?: boolean }) => serveDashboard(new KubeSource(kubeTarget(o)), o));
}

export function kubectlProgram(): Command {
  const program = new Command('kubectl ordinal')
    .description('Ordinal\'s MariaDB clusters from kubectl: status, switchover, rebuild, backup, restore, dashboard')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(statusCommand());
  program.addCommand(switchoverCommand());
  program.addCommand(rebuildCommand());
  program.addCommand(backupCommand());
  program.addCommand(restoreCommand());
  program.addCommand(dashboardCommand());
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
