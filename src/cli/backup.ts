// `ordinal backup verify NAME` (Kubernetes): prove a MySQLBackup restorable now. It sets
// spec.verify, drops an earlier result (and its Job) so a new verify Job runs, and waits for
// status.verified: exit code 0 restorable, 1 not.
import { Command } from 'commander';
import { API_VERSION } from '../api/cluster.js';
import { isNotFound, loadKubeConfig } from '../kube/client.js';
import { kubeRequest } from '../kube/request.js';
import type { VerifiedSummary } from '../platform/kube/backup-job.js';

export function backupCommand(): Command {
  const backup = new Command('backup').description('MySQLBackup objects on Kubernetes');
  backup
    .command('verify')
    .argument('<name>', 'MySQLBackup name')
    .description('restore the backup in a scratch Job, check every table and its GTID; wait for the result')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--kubeconfig <file>', 'kubeconfig file')
    .option('--timeout <seconds>', 'how long to wait', '1800')
    .action(async (name: string, o: { namespace: string; kubeconfig?: string; timeout: string }) => {
      const kc = loadKubeConfig({ kubeconfig: o.kubeconfig });
      const path = `/apis/${API_VERSION}/namespaces/${o.namespace}/mysqlbackups/${name}`;
      const job = `/apis/batch/v1/namespaces/${o.namespace}/jobs/${name}-verify`;
      const started = new Date();
      const b = await kubeRequest<{ status?: { phase?: string; verified?: VerifiedSummary } }>(kc, { method: 'GET', path });
      if (b.status?.phase !== 'Completed') throw new Error(`backup ${o.namespace}/${name} is ${b.status?.phase ?? 'not started'}: only a completed backup can be verified`);
      await kubeRequest(kc, { method: 'PATCH', path, body: { spec: { verify: true } }, contentType: 'application/merge-patch+json' });
      if (b.status.verified) {
        // The earlier Job goes first, so its result cannot be taken for the new one's.
        await kubeRequest(kc, { method: 'DELETE', path: job, query: { propagationPolicy: 'Background' } }).catch((err) => {
          if (!isNotFound(err)) throw err;
        });
        await until(Number(o.timeout), async () => kubeRequest(kc, { method: 'GET', path: job }).then(() => undefined, (err) => (isNotFound(err) ? true : undefined)), 'the earlier verify Job to go');
        await kubeRequest(kc, { method: 'PATCH', path: `${path}/status`, body: { status: { verified: null } }, contentType: 'application/merge-patch+json' });
      }
      const v = await until(Number(o.timeout), async () => {
        const now = await kubeRequest<{ status?: { verified?: VerifiedSummary } }>(kc, { method: 'GET', path });
        const got = now.status?.verified;
        return got && Date.parse(got.verifiedAt) >= started.getTime() - 1000 ? got : undefined;
      }, 'the verification');
      if (!v.ok) {
        console.error(`backup ${o.namespace}/${name} could NOT be restored: ${v.error}`);
        process.exitCode = 1;
        return;
      }
      console.log(`backup ${o.namespace}/${name} is restorable: ${v.tables} tables checked, ${v.rows} rows, GTID ${v.gtid}, in ${v.seconds.toFixed(1)} s`);
    });
  return backup;
}

async function until<T>(seconds: number, probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
