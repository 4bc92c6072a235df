// Issue 10 on the real test cluster: a 3-node Galera cluster comes up from nothing, survives
// deleting one pod (the write node's) and deleting every pod at once under writes with 0
// acknowledged writes lost, and its Services route only to synced nodes: NAME-primary to the
// one write node, NAME-read to every synced node, NAME-replicas to the synced others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writers, verifyWrites, type WriterReport } from '../integration/writers.js';
import { kubectlOk, sleep, useCluster, useOperators, waitFor } from './harness.js';

useOperators();
const c = useCluster('gal', 'e2e-galera');
const SPEC = { mode: 'galera', replicas: 3, storage: { size: '1Gi', storageClassName: 'standard' } };
const ORDINALS = [0, 1, 2];
const ordinals = (n: number) => Array.from({ length: n }, (_, o) => o);

interface GaleraView { writer: number | null; clusterSize: number; plan: string; nodes: Array<{ ordinal: number; state: string; seqno: number | null }> }

async function galera(): Promise<GaleraView | undefined> {
  return ((await c.status()) as { galera?: GaleraView }).galera;
}

async function podIps(): Promise<Map<number, string>> {
  return new Map((await c.pods()).filter((p) => p.status?.podIP && !p.metadata.deletionTimestamp).map((p) => [Number(p.metadata.name.slice(c.name.length + 1)), p.status.podIP as string]));
}

/** The node's wsrep state as it answers now; undefined when it does not answer SQL. */
async function nodeState(ordinal: number): Promise<{ primary: boolean; synced: boolean; committed: number; size: number } | undefined> {
  const rows = await c.instanceQuery<{ Variable_name: string; Value: string }>(ordinal, "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_status','wsrep_local_state','wsrep_last_committed','wsrep_cluster_size')").catch(() => undefined);
  if (!rows) return undefined;
  const v = new Map(rows.map((r) => [r.Variable_name, r.Value]));
  return { primary: v.get('wsrep_cluster_status') === 'Primary', synced: v.get('wsrep_local_state') === '4', committed: Number(v.get('wsrep_last_committed')), size: Number(v.get('wsrep_cluster_size')) };
}

/** Healthy as status says, and every node synced in one Primary component of n as the nodes say. */
async function synced(n = 3): Promise<void> {
  await c.healthy(n, 600_000);
  await waitFor(`every node synced in a Primary component of ${n}`, async () => {
    const states = await Promise.all(ordinals(n).map(nodeState));
    return states.every((s) => s?.primary && s.synced && s.size === n) ? true : undefined;
  }, 300_000, () => c.describe());
}

/** Each Service's endpoints as the routing promises, against the pods' IPs. */
async function expectRoutes(): Promise<void> {
  await waitFor('the Services to route to the synced nodes', async () => {
    const [ips, g] = await Promise.all([podIps(), galera()]);
    if (!g || g.writer === null || ips.size !== 3) return undefined;
    const all = [...ips.values()].sort();
    const writer = [ips.get(g.writer)!];
    const others = all.filter((ip) => ip !== writer[0]);
    const [primary, read, replicas] = await Promise.all([c.endpointsOf('primary'), c.endpointsOf('read'), c.endpointsOf('replicas')]);
    return JSON.stringify([primary, read, replicas]) === JSON.stringify([writer, all, others]) ? true : undefined;
  }, 120_000, () => c.describe());
}

/** Nothing acknowledged is missing on any node, nothing never attempted is there, and the nodes agree. */
async function expectNothingLost(report: WriterReport, n = 3): Promise<void> {
  const ORDINALS = ordinals(n);
  await synced(n);
  // Writes are certified everywhere before the OK, but applied asynchronously: wait for equal positions.
  await waitFor('every node applied the same write-sets', async () => {
    const states = await Promise.all(ORDINALS.map(nodeState));
    return states.every((s) => s && s.committed === states[0]!.committed) ? true : undefined;
  }, 120_000);
  for (const o of ORDINALS) {
    const v = await verifyWrites(c, o, report);
    assert.deepEqual(v.lost, [], `node ${o} lost acknowledged writes`);
    assert.deepEqual(v.phantom, [], `node ${o} has rows never written`);
  }
  const sums = await Promise.all(ORDINALS.map(async (o) => (await c.instanceQuery(o, 'CHECKSUM TABLE app.writes'))[0].Checksum));
  assert.equal(new Set(sums.map(String)).size, 1, `the nodes' checksums differ: ${sums.join(', ')}`);
}

/**
 * While a node rejoins, its pod must be in no Service before it is synced. A joining node only
 * moves forward (gate, joiner, joined, synced): endpoints read first, then the node's state, so
 * a node not synced now was not synced when the endpoints were read.
 */
function watchRejoin(ordinal: number): { stop(): Promise<string[]> } {
  const violations: string[] = [];
  let stopped = false;
  const run = (async () => {
    while (!stopped) {
      const [read, replicas, primary] = await Promise.all([c.endpointsOf('read'), c.endpointsOf('replicas'), c.endpointsOf('primary')]).catch((): string[][] => [[], [], []]);
      const ip = (await podIps().catch(() => new Map<number, string>())).get(ordinal);
      const state = ip ? await nodeState(ordinal) : undefined;
      if (ip && !(state?.primary && state.synced)) {
        for (const [name, eps] of [['read', read], ['replicas', replicas], ['primary', primary]] as const) {
          if (eps.includes(ip)) violations.push(`node ${ordinal} (${ip}) was in ${c.name}-${name} while not synced`);
        }
      }
      if (state?.primary && state.synced) return;
      await sleep(300);
    }
  })();
  return { stop: async () => { stopped = true; await run; return violations; } };
}

test('a 3-node Galera cluster comes up; the Services route to its synced nodes; a bad spec is refused', async () => {
  assert.equal((await c.apply(SPEC)).code, 0);
  await synced();
  const s = await c.status();
  assert.equal(s.phase, 'Running');
  const g = (await galera())!;
  assert.equal(g.clusterSize, 3);
  assert.deepEqual(g.nodes.map((n) => n.state), ['Synced', 'Synced', 'Synced']);
  assert.equal(s.primary, g.writer, 'status.primary is the write node');
  await expectRoutes();
  // Even node counts lose the quorum on an even split: refused, naming the field, and nothing changes.
  assert.equal((await c.apply({ ...SPEC, replicas: 4 })).code, 0);
  const refused = await waitFor('the spec refused', async () => {
    const st = await c.status();
    return st.phase === 'Refused' ? st : undefined;
  }, 60_000, () => c.describe());
  assert.match(refused.message ?? '', /spec\.replicas must be odd and at least 3 with spec\.mode galera \(got 4\)/);
  assert.equal((await c.pods()).length, 3, 'no fourth pod');
  assert.equal((await c.apply(SPEC)).code, 0);
  await c.healthy(3);
  // A forced recovery while a Primary component exists is refused, and the request is cleared.
  await kubectlOk(['-n', c.namespace, 'annotate', 'mysqlcluster', c.name, 'ordinal.dev/recover-from=1']);
  await waitFor('the recover request refused and cleared', async () => {
    const [events, obj] = await Promise.all([c.events(), c.get()]);
    const refusal = events.find((e) => e.reason === 'RecoverRefused');
    return refusal && !obj.metadata.annotations?.['ordinal.dev/recover-from'] ? refusal : undefined;
  }, 60_000, () => c.describe());
});

test('the write node\'s pod deleted under writes: the others go on, it rejoins, 0 lost', async () => {
  await Writers.prepare(c);
  const writers = new Writers(c, 3).start();
  await waitFor('writes acknowledged', async () => (writers.acked.size > 200 ? true : undefined), 60_000);
  const writer = (await galera())!.writer!;
  await kubectlOk(['-n', c.namespace, 'delete', 'pod', `${c.name}-${writer}`, '--wait=false']);
  await waitFor('the pod to be replaced', async () => ((await c.pod(writer))?.metadata.deletionTimestamp ? undefined : (await c.pod(writer)) ? true : undefined), 120_000);
  const watch = watchRejoin(writer);
  const acked = writers.acked.size;
  await waitFor('writes to go on through another node', async () => (writers.acked.size > acked + 100 ? true : undefined), 120_000, () => c.describe());
  await synced();
  const violations = await watch.stop();
  const report = await writers.stop();
  assert.deepEqual(violations, []);
  await expectNothingLost(report);
  await expectRoutes();
  console.log(`# write node's pod deleted: ${report.acked.size} writes acknowledged, client outages ms ${report.outagesMs.join(', ')}`);
});

test('every pod deleted at once under writes: recovered from the highest seqno, 0 lost', async () => {
  const writers = new Writers(c, 3).start();
  await waitFor('writes acknowledged', async () => (writers.acked.size > 200 ? true : undefined), 60_000);
  await kubectlOk(['-n', c.namespace, 'delete', 'pod', '-l', `ordinal.dev/cluster=${c.name}`, '--grace-period=0', '--force', '--wait=false']);
  const acked = writers.acked.size;
  await waitFor('writes to resume after every pod came back', async () => (writers.acked.size > acked + 100 ? true : undefined), 600_000, () => c.describe());
  const report = await writers.stop();
  await expectNothingLost(report);
  await expectRoutes();
  const events = await c.events();
  assert.ok(events.some((e) => e.reason === 'Recovered'), `a Recovered event names the node it bootstrapped from: ${events.map((e) => e.reason).join(', ')}`);
  console.log(`# every pod deleted: ${report.acked.size} writes acknowledged, client outages ms ${report.outagesMs.join(', ')}`);
});

test('a Galera setting rolls one pod at a time under writes; scale 3 -> 5 -> 3; 0 lost', async () => {
  const writers = new Writers(c, 2).start();
  await waitFor('writes acknowledged', async () => (writers.acked.size > 100 ? true : undefined), 60_000);
  const before = new Map((await c.pods()).map((p) => [p.metadata.name, p.metadata.uid]));
  assert.equal((await c.apply({ ...SPEC, galera: { flowControlLimit: 128 } })).code, 0);
  await waitFor('every pod restarted with the new setting', async () => {
    const pods = await c.pods();
    const renewed = pods.filter((p) => before.get(p.metadata.name) !== p.metadata.uid && !p.metadata.deletionTimestamp);
    if (renewed.length !== 3) return undefined;
    const limits = await Promise.all(ORDINALS.map(async (o) => (await c.instanceQuery(o, 'SELECT @@wsrep_provider_options AS o').catch(() => [{ o: '' }]))[0].o as string));
    return limits.every((o) => /gcs\.fc_limit = 128;/.test(o)) ? true : undefined;
  }, 600_000, () => c.describe());
  const restarts = (await c.events()).filter((e) => e.reason === 'RollingRestart').length;
  assert.ok(restarts >= 3, `one RollingRestart per pod (saw ${restarts})`);

  assert.equal((await c.apply({ ...SPEC, replicas: 5, galera: { flowControlLimit: 128 } })).code, 0);
  await synced(5);
  assert.equal((await c.apply({ ...SPEC, galera: { flowControlLimit: 128 } })).code, 0);
  await waitFor('pods 3 and 4 gone', async () => ((await c.pods()).length === 3 ? true : undefined), 300_000, () => c.describe());
  const report = await writers.stop();
  await expectNothingLost(report);
  await expectRoutes();
  console.log(`# rolling restart and scale 3 -> 5 -> 3: ${report.acked.size} writes acknowledged, client outages ms ${report.outagesMs.join(', ')}`);
});
