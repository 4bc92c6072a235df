// E2E 1, 2 and 6 on the real test cluster: a 3-instance cluster comes up in order and serves
// reads and writes through its Services; deleting the primary pod under writes fails over
// with nothing lost; an errant replica is quarantined and rebuilt; restarting the operator
// restarts no MariaDB pod. The kubectl plugin (`kubectl ordinal`) is driven against the same
// cluster: status, refusals with their exit codes, and the rebuild.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writers, verifyWrites } from '../integration/writers.js';
import { dashboardSession, dashboardUrl } from '../integration/harness.js';
import { kubectlOk, kubectlOrdinal, sleep, spawnKubectlOrdinal, useCluster, useOperators, waitFor } from './harness.js';

const { operators } = useOperators();
const c = useCluster('demo', 'e2e-cluster');

test('a 3-instance cluster: pods Ready in order, replication healthy, writes via NAME-primary, reads via NAME-replicas', async () => {
  const r = await c.apply({ replicas: 3, storage: { size: '1Gi', storageClassName: 'standard' } });
  assert.equal(r.code, 0, r.stderr);
  const s = await c.healthy(3);
  assert.equal(s.primary, 0);
  assert.deepEqual(s.instances!.map((i) => i.role), ['primary', 'replica', 'replica']);

  // OrderedReady: instance k was created only after instance k-1 was Ready.
  const pods = (await c.pods()).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  for (let k = 1; k < pods.length; k++) {
    const readyAt = pods[k - 1].status.conditions.find((x: any) => x.type === 'Ready').lastTransitionTime;
    assert.ok(pods[k].metadata.creationTimestamp >= readyAt, `${pods[k].metadata.name} created ${pods[k].metadata.creationTimestamp}, before ${pods[k - 1].metadata.name} was Ready at ${readyAt}`);
  }
  for (const o of [1, 2]) {
    const [row] = await c.instanceQuery(o, 'SHOW SLAVE STATUS');
    assert.equal(row.Slave_IO_Running, 'Yes');
    assert.equal(row.Slave_SQL_Running, 'Yes');
    assert.equal(row.Master_Host, `demo-0.demo-headless.e2e-cluster.svc.cluster.local`);
  }

  await Writers.prepare(c);
  const w = await c.app();
  await w.query("INSERT INTO writes (writer, seq) VALUES (-1, 1)");
  const [[pos]] = (await w.query('SELECT @@gtid_binlog_pos AS p')) as any;
  w.destroy();
  // Labels follow the loop's routes within a tick; the endpoints controller follows the labels.
  const want = { primary: [(await c.pod(0))!.status.podIP], replicas: [(await c.pod(1))!.status.podIP, (await c.pod(2))!.status.podIP].sort() };
  await waitFor('the Services to select the primary and both replicas', async () => {
    const got = { primary: await c.endpointsOf('primary'), replicas: await c.endpointsOf('replicas') };
    return JSON.stringify(got) === JSON.stringify(want) ? true : undefined;
  }, 30_000, async () => JSON.stringify({ want, primary: await c.endpointsOf('primary'), replicas: await c.endpointsOf('replicas') }));
  const r2 = await c.app('replicas');
  await r2.query('SELECT MASTER_GTID_WAIT(?, 30)', [pos.p]);
  const [rows] = (await r2.query('SELECT seq, @@read_only AS ro FROM writes WHERE writer = -1')) as any;
  r2.destroy();
  assert.equal(rows.length, 1);
  assert.equal(Number(rows[0].ro), 1, 'reads come from a read-only replica');
});

test('kubectl ordinal: the topology as text and JSON; refusals and unknown clusters have their own exit codes', async () => {
  const text = await kubectlOrdinal(['status', c.name, '-n', c.namespace]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^demo \(e2e-cluster\)  primary-replica  phase Running  ready 3\/3  primary 0/);
  assert.match(text.stdout, /\n  0  primary  ready  writable\n  ├─ 1  replica  ready  read-only  lag \d+s\n  └─ 2  replica  ready  read-only/);
  const json = JSON.parse((await kubectlOrdinal(['status', c.name, '-n', c.namespace, '-o', 'json'])).stdout);
  assert.equal(json.status.primary, 0);
  assert.deepEqual(json.status.instances.map((i: { role: string }) => i.role), ['primary', 'replica', 'replica']);

  const generation = (await c.get()).metadata.generation;
  const missing = await kubectlOrdinal(['switchover', c.name, '-n', c.namespace, '--to', '7']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /switchover refused: instance 7 does not exist \(instances: 0, 1, 2\)/);
  assert.equal((await c.get()).metadata.generation, generation, 'nothing changed');
  const unknown = await kubectlOrdinal(['status', 'nosuch', '-n', c.namespace]);
  assert.equal(unknown.code, 3);
  assert.match(unknown.stderr, /MySQLCluster e2e-cluster\/nosuch not found/);
  const usage = await kubectlOrdinal(['rebuild', c.name, 'one', '-n', c.namespace]);
  assert.equal(usage.code, 2);
  const context = await kubectlOrdinal(['status', c.name, '-n', c.namespace, '--context', 'nosuch']);
  assert.equal(context.code, 2);
  assert.match(context.stderr, /--context: no context "nosuch"/);
});

test('kubectl ordinal dashboard: the namespace\'s clusters over the Kubernetes API with the kubeconfig\'s rights, behind the one-time URL', async () => {
  const dashboard = spawnKubectlOrdinal(['dashboard', '-n', c.namespace]);
  try {
    const url = await dashboardUrl(dashboard);
    const cookie = await dashboardSession(url);
    const origin = new URL(url).origin;
    const snapshot = await (await fetch(`${origin}/api/clusters`, { headers: { cookie } })).json();
    assert.match(snapshot.where, new RegExp(` / ${c.namespace}$`));
    const demo = snapshot.clusters.find((x: { view: { name: string } }) => x.view.name === c.name);
    assert.ok(demo, JSON.stringify(snapshot).slice(0, 2000));
    assert.equal(demo.view.status.primary, 0);
    assert.deepEqual(demo.view.status.instances.map((i: { role: string }) => i.role), ['primary', 'replica', 'replica']);
    assert.match(demo.view.status.instances[0].gtid, /^0-\d+-\d+/, 'the GTID position is shown');
    assert.ok(demo.events.length > 0, 'the cluster\'s Events are in its timeline');
    assert.deepEqual(demo.endpoints.map((e: { address: string }) => e.address), [`${c.name}-primary.${c.namespace}.svc:3306`, `${c.name}-replicas.${c.namespace}.svc:3306`, `${c.name}-read.${c.namespace}.svc:3306`]);
    const generation = (await c.get()).metadata.generation;
    const refused = await fetch(`${origin}/api/clusters/${c.name}/switchover`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{"to":7}' });
    assert.equal(refused.status, 409);
    assert.match((await refused.json()).error, /instance 7 does not exist/);
    assert.equal((await c.get()).metadata.generation, generation, 'nothing changed');
  } finally {
    dashboard.kill('SIGTERM');
  }
});

test('deleting the primary pod under writes: a replica is promoted, 0 acknowledged writes lost, the pod rejoins as a replica on its PVC', async () => {
  const claimBefore = (await kubectlOk(['-n', c.namespace, 'get', 'pvc', 'data-demo-0', '-o', 'jsonpath={.metadata.uid}'])).trim();
  const writers = new Writers(c, 4).start();
  await sleep(3000);
  await kubectlOk(['-n', c.namespace, 'delete', 'pod', 'demo-0', '--grace-period=0', '--force']);
  const promoted = await waitFor('a new primary', async () => {
    const s = await c.status();
    return s.primary !== undefined && s.primary !== null && s.primary !== 0 && s.phase !== 'FailingOver' ? s.primary : undefined;
  }, 120_000, () => c.describe());
  // Writes resume through the Service once its endpoints moved to the new primary.
  const newIp = (await c.pod(promoted))!.status.podIP;
  await waitFor('NAME-primary to select the new primary', async () => ((await c.endpointsOf('primary')).join() === newIp ? true : undefined), 60_000);
  const acked = writers.acked.size;
  await waitFor('writes to resume', async () => (writers.acked.size > acked + 20 ? true : undefined), 60_000);
  const report = await writers.stop();
  const s = await c.healthy(3);
  assert.equal(s.instances!.find((i) => i.ordinal === 0)!.role, 'replica', 'the old primary rejoined as a replica');
  assert.ok((s.failovers ?? 0) >= 1);

  const [pos] = await c.instanceQuery(promoted, 'SELECT @@gtid_binlog_pos AS p');
  await c.instanceQuery(0, 'SELECT MASTER_GTID_WAIT(?, 60)', [pos.p]);
  for (const o of [promoted, 0]) {
    const v = await verifyWrites(c, o, report);
    assert.deepEqual(v.lost, [], `instance ${o} lost acknowledged writes`);
    assert.deepEqual(v.phantom, [], `instance ${o} has rows never written`);
  }
  const writable = [];
  for (const o of [0, 1, 2]) if (Number((await c.instanceQuery(o, 'SELECT @@read_only AS ro'))[0].ro) === 0) writable.push(o);
  assert.deepEqual(writable, [promoted], 'exactly one writable instance');
  const claimAfter = (await kubectlOk(['-n', c.namespace, 'get', 'pvc', 'data-demo-0', '-o', 'jsonpath={.metadata.uid}'])).trim();
  assert.equal(claimAfter, claimBefore, 'the recreated pod uses the same claim');
  assert.ok((await c.events()).some((e) => e.reason === 'FailedOver'), 'a FailedOver event');
  console.log(`# failover: ${report.acked.size} writes acknowledged, client outages ms ${report.outagesMs.join(', ')}`);
});

test('an errant replica is quarantined, never routed and refused as a switchover target; kubectl ordinal rebuild clones it again', async () => {
  const before = await c.healthy(3);
  const victim = before.instances!.find((i) => i.role === 'replica')!.ordinal;
  // A write made on the replica itself (the operator account passes read_only): errant.
  await c.instanceQuery(victim, 'INSERT INTO app.writes (writer, seq) VALUES (-2, 1)');
  const quarantined = await waitFor('the replica to be quarantined', async () => {
    const s = await c.status();
    return s.instances?.find((i) => i.ordinal === victim)?.errant ? s : undefined;
  }, 60_000, () => c.describe());
  assert.equal(quarantined.conditions!.find((x) => x.type === 'Degraded')!.reason, 'ErrantInstances');
  const victimIp = (await c.pod(victim))!.status.podIP;
  await waitFor('the replica out of NAME-replicas', async () => (!(await c.endpointsOf('replicas')).includes(victimIp) ? true : undefined), 30_000);
  assert.ok((await c.events()).some((e) => e.reason === 'ErrantTransactions'));

  // A switchover to it is refused with the reason before anything changes.
  const refused = await kubectlOrdinal(['switchover', c.name, '-n', c.namespace, '--to', String(victim)]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`switchover refused: instance ${victim} is errant`));
  const r = await kubectlOrdinal(['rebuild', c.name, String(victim), '-n', c.namespace]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /rebuild of instance \d+ .* requested/);
  const s = await waitFor('the rebuilt replica healthy and no longer errant', async () => {
    const st = await c.status();
    const i = st.instances?.find((x) => x.ordinal === victim);
    return st.phase === 'Running' && i && !i.errant && i.ready ? st : undefined;
  }, 300_000, () => c.describe());
  assert.equal(s.ready, '3/3');
  const rows = await c.instanceQuery(victim, 'SELECT COUNT(*) AS n FROM app.writes WHERE writer = -2');
  assert.equal(Number(rows[0].n), 0, 'the errant row is gone with the old copy');
  assert.equal((await c.get()).metadata.annotations?.['ordinal.dev/rebuild'], undefined, 'the request annotation was cleared');
});

test('restarting the operators restarts no MariaDB pod', async () => {
  const snapshot = async () => (await c.pods()).map((p) => `${p.metadata.name}/${p.metadata.uid}/${p.status.containerStatuses.map((x: any) => x.restartCount).join(',')}`).sort();
  const before = await snapshot();
  const failovers = (await c.status()).failovers;
  await operators().stopAll();
  operators().start('op-c');
  operators().start('op-d');
  await waitFor('a new leader', async () => {
    const l = await operators().leader();
    return l === 'op-c' || l === 'op-d' ? l : undefined;
  }, 60_000);
  const generation = (await c.get()).metadata.generation;
  await c.healthy(3);
  // The new leader's loop has looked at the cluster many times: a restart it meant to make is made.
  const leader = (await operators().leader())!;
  await waitFor('the new leader\'s HA loop to tick 20 times', async () =>
    ((await operators().metric(leader, 'ordinal_ha_ticks_total', { namespace: c.namespace, cluster: c.name })) ?? 0) >= 20 ? true : undefined, 120_000);
  assert.deepEqual(await snapshot(), before);
  const s = await c.status();
  assert.equal(s.failovers, failovers);
  assert.equal(s.observedGeneration, generation);
});
