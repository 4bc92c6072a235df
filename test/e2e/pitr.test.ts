// Point-in-time recovery on the real test cluster: spec.pitr makes the primary's agent archive
// the binary logs into a claim; writers stamp every row; a backup is taken, the primary pod is
// deleted (a failover) and the archive follows the new primary; a MySQLRestore to a time T
// after the failover holds every write acknowledged before T and none sent after it, one to a
// GTID exactly the writes up to it, and a target the archive does not cover is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { sleep } from '../integration/harness.js';
import { StampedWriters } from '../integration/stamped.js';
import { KubeCluster, kubectl, kubectlJson, kubectlOk, useCluster, useOperators, waitFor } from './harness.js';

useOperators();
const c = useCluster('pt', 'e2e-pitr');
const storage = (path: string) => ({ pvc: { claimName: 'wal', path } });
const describe = async () => `${(await kubectl(['-n', c.namespace, 'get', 'mysqlcluster,mysqlbackup,mysqlrestore,job,pod', '-o', 'wide'])).stdout}\n${(await kubectl(['-n', c.namespace, 'get', 'events', '--sort-by=.lastTimestamp'])).stdout.split('\n').slice(-25).join('\n')}`;
const apply = (doc: object) => kubectlOk(['apply', '-f', '-'], stringify(doc));
const settled = (kind: string, name: string, timeoutMs = 600_000) => waitFor(`${kind} ${name} to finish`, async () => {
  const o = await kubectlJson(['-n', c.namespace, 'get', kind, name]);
  return ['Completed', 'Failed'].includes(o.status?.phase) ? o : undefined;
}, timeoutMs, describe, 2000);
const restore = (name: string, spec: object) => apply({ apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLRestore', metadata: { name, namespace: c.namespace }, spec: { backupName: 'base', ...spec } });

async function rowsOf(name: string): Promise<{ keys: Set<string>; position: string }> {
  const r = new KubeCluster(name, c.namespace);
  const s = await r.healthy(2);
  const rows = await r.instanceQuery<{ writer: number; seq: number }>(s.primary!, 'SELECT writer, seq FROM app.stamped');
  const [pos] = await r.instanceQuery(s.primary!, 'SELECT @@gtid_binlog_pos AS p');
  return { keys: new Set(rows.map((x) => `${x.writer}:${x.seq}`)), position: String(pos.p) };
}

test('restore to a time and to a GTID after a failover: every write acknowledged before the target, nothing after', async () => {
  await apply({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'wal', namespace: c.namespace },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'standard', resources: { requests: { storage: '1Gi' } } },
  });
  assert.equal((await c.apply({ replicas: 2, storage: { size: '1Gi', storageClassName: 'standard' }, pitr: { storage: storage('/archive'), archiveIntervalSeconds: 2 } })).code, 0);
  await c.healthy(2);
  await StampedWriters.prepare(c);
  const writers = new StampedWriters(c, 2).start();
  await sleep(2000);
  await apply({ apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLBackup', metadata: { name: 'base', namespace: c.namespace }, spec: { clusterName: c.name, storage: storage('/backups') } });
  const backup = await settled('mysqlbackup', 'base');
  assert.equal(backup.status.phase, 'Completed', JSON.stringify(backup.status));
  await sleep(2000);

  const before = await c.healthy(2);
  await kubectlOk(['-n', c.namespace, 'delete', 'pod', `${c.name}-${before.primary}`, '--grace-period=0', '--force', '--wait=false']);
  await waitFor('a failover', async () => {
    const s = await c.status();
    return (s.failovers ?? 0) >= 1 && s.primary !== before.primary ? s : undefined;
  }, 180_000, describe);
  await c.healthy(2);
  await sleep(3000);
  const target = new Date();
  await sleep(3000);
  await writers.stop();
  const end = Date.now();
  const s = await waitFor('the archive past the last write', async () => {
    const st = (await c.get()).status as any;
    return st?.pitr?.lastRecoverableTime && Date.parse(st.pitr.lastRecoverableTime) > end ? st : undefined;
  }, 180_000, describe, 2000);
  assert.equal(s.pitr.continuous, true, 'the archive is continuous across the failover');
  assert.equal(s.conditions.find((x: { type: string }) => x.type === 'ArchiveContinuous')?.status, 'True');

  // To a time: the whole second below T is the point (binary log events carry whole seconds).
  // To a GTID written by the new primary: exactly the writes up to it. Both restores at once.
  const point = Math.floor(target.getTime() / 1000) * 1000;
  const afterFailover = [...writers.acked.values()].filter((st) => st.sentAt > point).map((st) => st.seq).sort((a, b) => a - b);
  const upTo = afterFailover[Math.floor(afterFailover.length / 2)];
  await restore('to-time', { clusterName: 'pt-time', pointInTime: target.toISOString() });
  await restore('to-gtid', { clusterName: 'pt-gtid', gtid: `0-1-${upTo}` });
  const [r, g] = await Promise.all([settled('mysqlrestore', 'to-time'), settled('mysqlrestore', 'to-gtid')]);
  assert.equal(r.status.phase, 'Completed', JSON.stringify(r.status));
  assert.equal(g.status.phase, 'Completed', JSON.stringify(g.status));
  const [atTime, atGtid] = await Promise.all([rowsOf('pt-time'), rowsOf('pt-gtid')]);
  assert.deepEqual(writers.diffAtTime(atTime.keys, point), { lost: [], late: [] }, `restored to ${new Date(point).toISOString()} at ${atTime.position}`);
  assert.ok([...writers.acked.values()].some((st) => st.ackedAt < point && st.sentAt > Date.parse(backup.status.completionTime)), 'the replay brought writes made after the backup');
  assert.match(atGtid.position, new RegExp(`^0-\\d+-${upTo}$`));
  assert.deepEqual(writers.diffAtSeq(atGtid.keys, upTo), { missing: [], extra: [] });
  await kubectlOk(['-n', c.namespace, 'delete', 'mysqlcluster', 'pt-time', 'pt-gtid', '--wait=false']);

  // Past what the archive holds: refused with the covered range; no cluster, claim or Secret.
  await restore('future', { clusterName: 'pt-future', pointInTime: new Date(Date.now() + 3_600_000).toISOString() });
  const f = await settled('mysqlrestore', 'future');
  assert.equal(f.status.phase, 'Failed');
  assert.match(f.status.message, /^spec\.pointInTime: .* is not covered: the archive covers sequence numbers \d+ to \d+/);
  for (const what of ['mysqlcluster/pt-future', 'pvc/data-pt-future-0', 'secret/pt-future-secrets']) {
    await waitFor(`${what} to be gone`, async () => ((await kubectl(['-n', c.namespace, 'get', what])).code === 1 ? true : undefined), 60_000);
  }
});
