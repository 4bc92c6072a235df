// npm run bench:kube-failover [-- N]: N failovers on the real test cluster (brought up by
// e2e/cluster/cluster.sh; the operator runs out of cluster, leader-elected, as in test/e2e).
// Each round force-deletes the primary pod under writes through NAME-primary's ClusterIP and
// prints the client-seen outage (each writer's longest wait between acknowledged writes,
// whether the write in between failed or hung: p50/p99)
// and lost writes, with the time split by what the operator and Kubernetes did, from the
// deletion: detection (the loop acts), failover done (FailedOver), labels on the new
// primary, its IP in NAME-primary's Endpoints, and the first write through the Service.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { installOperatorAccess, KubeCluster, kubectl, kubectlOk, Operators, ROOT, sleep, waitFor } from '../test/e2e/harness.js';
import { percentile, verifyWrites, Writers } from '../test/integration/writers.js';

const ROUNDS = Number(process.argv[2] ?? 5);
execFileSync('bash', [join(ROOT, 'e2e/cluster/cluster.sh'), 'up'], { stdio: 'inherit' });
execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });

const c = new KubeCluster('benchfo', 'bench-failover');
const operators = new Operators(await installOperatorAccess());
const outages: number[] = [];
const splits: Record<string, number[]> = { detection: [], failover: [], labels: [], endpoints: [], client: [] };
let lost = 0;
let acked = 0;
try {
  await c.createNamespace();
  operators.start('bench-a');
  await waitFor('a leader', () => operators.leader(), 60_000);
  operators.start('bench-b');
  const leader = (await operators.leader())!;
  await c.apply({ replicas: 3, storage: { size: '1Gi', storageClassName: 'standard' } });
  await c.healthy(3, 600_000);
  await Writers.prepare(c);

  for (let round = 1; round <= ROUNDS; round++) {
    const before = await c.healthy(3, 600_000);
    const writers = new Writers(c, 4).start();
    await sleep(3000);
    const logFrom = operators.log(leader).length;
    const old = before.primary!;
    await kubectlOk(['-n', c.namespace, 'delete', 'pod', `${c.name}-${old}`, '--grace-period=0', '--force', '--wait=false']);
    // When kubectl returns the pod object is gone (kubectl itself takes a while to start).
    const deletedAt = Date.now();
    const promoted = await waitFor('a new primary', async () => {
      const s = await c.status();
      return s.primary !== undefined && s.primary !== null && s.primary !== old ? s.primary : undefined;
    }, 120_000);
    const ip = (await c.pod(promoted))!.status.podIP as string;
    const endpointsAt = await waitFor('the new primary in the Endpoints', async () => ((await c.endpointsOf('primary')).join() === ip ? Date.now() : undefined), 60_000, undefined, 50);
    const clientAt = await firstWrite(c, deletedAt);
    await sleep(1500);
    const report = await writers.stop();
    const v = await verifyWrites(c, promoted, report);
    const log = operators.log(leader).slice(logFrom).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { time: number; msg: string; labels?: Record<string, string>; event?: string; action?: { kind: string }; ms?: Record<string, number> });
    const at = (pick: (l: (typeof log)[number]) => boolean) => log.find(pick)?.time;
    const detected = at((l) => l.msg === 'acting' && l.action?.kind === 'failover');
    const failedOver = at((l) => l.event === 'FailedOver');
    const labelled = at((l) => l.msg === 'routing labels changed' && l.labels?.['ordinal.dev/role'] === 'primary');
    const since = (t?: number) => (t ? t - deletedAt : NaN);
    const round1 = { detection: since(detected), failover: since(failedOver), labels: since(labelled), endpoints: since(endpointsAt), client: since(clientAt) };
    for (const [k, ms] of Object.entries(round1)) if (Number.isFinite(ms)) splits[k].push(ms);
    const gaps = writers.longestGapsMs();
    outages.push(...gaps);
    lost += v.lost.length;
    acked += report.acked.size;
    const steps = log.find((l) => l.msg === 'failover steps')?.ms ?? {};
    console.log(`round ${round}: ${old} -> ${promoted}; from the deletion: ${Object.entries(round1).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(2)} s`).join(', ')}; longest wait per writer ms [${gaps.join(', ')}], lost ${v.lost.length}`);
    console.log(`  failover steps (ms): ${Object.entries(steps).map(([k, ms]) => `${k} ${ms}`).join(', ')}`);
  }
} finally {
  await c.stopBackground();
  await operators.stopAll();
  await kubectl(['delete', 'namespace', c.namespace, '--wait=true', '--timeout=120s']);
}

const s = (ms: number[], p: number) => (ms.length ? (percentile(ms, p) / 1000).toFixed(2) : '-');
console.log(`\nbench:kube-failover on ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${cpus()[0]?.model ?? ''}; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
console.log(`failovers: ${ROUNDS}, acknowledged writes: ${acked}, lost: ${lost}`);
console.log(`client-seen outage p50 ${s(outages, 50)} s  p99 ${s(outages, 99)} s  (per writer, the longest wait between two acknowledged writes)`);
console.log(`from the pod deletion (p50 / p99 s): ${Object.entries(splits).map(([k, ms]) => `${k} ${s(ms, 50)} / ${s(ms, 99)}`).join('; ')}`);

/** When a fresh connection through NAME-primary first commits a write after `since`. */
async function firstWrite(cluster: KubeCluster, since: number): Promise<number> {
  const host = await cluster.serviceIp('primary');
  const password = await cluster.secret('app');
  return waitFor('a write through NAME-primary', async () => {
    const conn = await mysql.createConnection({ host, port: 3306, user: 'app', password, database: 'app', connectTimeout: 1000 });
    try {
      await conn.query({ sql: 'INSERT INTO writes (writer, seq) VALUES (-9, ?)', values: [Date.now() % 2_000_000_000], timeout: 2000 });
      return Date.now();
    } finally {
      conn.destroy();
    }
  }, 60_000, undefined, 20);
}
