// Galera on Kubernetes: the word each waiting pod gets (table), which pods count as running,
// that only waiting pods are offered a start, and the summary the reconciler's phases read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StartDecision } from '../../src/agent/start-gate.js';
import { galeraClusterSummary, galeraStatus } from '../../src/controllers/galera-ha.js';
import { initialState } from '../../src/clustering/types.js';
import type { GaleraLoop, GaleraSummary } from '../../src/galera/loop.js';
import type { RecoveryPlan } from '../../src/galera/recovery.js';
import type { StoredPosition } from '../../src/galera/stored-position.js';
import { galeraStartDecision, KubeGaleraPlatform, type KubeGaleraAccess } from '../../src/platform/kube/galera.js';
import type { PodView } from '../../src/platform/kube/pods.js';
import { quiet } from './fixtures.js';

const U = '11111111-2222-3333-4444-555555555555';
const at = (seqno: number) => ({ uuid: U, seqno });
const data = (seqno: number): StoredPosition => ({ position: at(seqno), safeToBootstrap: false, source: 'grastate.dat', hasData: true });
const empty: StoredPosition = { position: null, safeToBootstrap: false, source: 'none', hasData: false };
const join: RecoveryPlan = { kind: 'join', why: 'node 1 forms the Primary component' };
const fresh: RecoveryPlan = { kind: 'new', ordinal: 0, why: 'a new cluster' };
const from2: RecoveryPlan = { kind: 'bootstrap', ordinal: 2, how: 'start', position: at(90), why: 'node 2 holds the highest seqno' };

test('galeraStartDecision: the word for a pod at its gate', async (t) => {
  const table: Array<[string, RecoveryPlan, { ordinal: number; stored?: StoredPosition; cluster?: ReturnType<typeof at>; stillMember?: boolean }, Partial<StartDecision>]> = [
    ['position not read yet: hold', join, { ordinal: 1 }, { mode: 'hold' }],
    ['new cluster, node 0 empty: initialized, then bootstraps', fresh, { ordinal: 0, stored: empty }, { mode: 'keep', args: ['--wsrep-new-cluster'], initialize: true, bootstrap: true }],
    ['new cluster, the others wait for node 0', fresh, { ordinal: 1, stored: empty }, { mode: 'hold' }],
    ['recovery: the chosen node bootstraps from its position', from2, { ordinal: 2, stored: data(90) }, { mode: 'keep', args: ['--wsrep-new-cluster', `--wsrep-start-position=${U}:90`], bootstrap: true }],
    ['recovery: the others wait for it', from2, { ordinal: 0, stored: data(80) }, { mode: 'hold' }],
    ['join with no data: a full copy', join, { ordinal: 2, stored: empty, cluster: at(100) }, { mode: 'keep' }],
    ['join from data behind the cluster: IST from its position', join, { ordinal: 2, stored: data(80), cluster: at(100) }, { mode: 'keep', args: [`--wsrep-start-position=${U}:80`] }],
    ['join from data ahead of the cluster: kept aside, never overwritten', join, { ordinal: 2, stored: data(120), cluster: at(100) }, { mode: 'keep', keepDataAside: true }],
    ['its old server is still a member: hold', join, { ordinal: 2, stored: data(80), cluster: at(100), stillMember: true }, { mode: 'hold' }],
    ['no plan yet: hold', { kind: 'wait', why: 'node 1 runs but does not answer' }, { ordinal: 0, stored: data(5) }, { mode: 'hold' }],
  ];
  for (const [name, plan, n, want] of table) {
    await t.test(name, () => {
      const got = galeraStartDecision(plan, { stillMember: false, ...n });
      const shown = Object.fromEntries(Object.entries(got).filter(([k]) => k !== 'why'));
      assert.deepEqual(shown, want);
      assert.ok(got.why.length > 0, 'every word says why');
    });
  }
});

class FakeGaleraKube implements KubeGaleraAccess {
  posted: Array<{ ip: string; decision: StartDecision }> = [];
  gates = new Map<string, boolean>();
  podList: PodView[];
  constructor(states: Array<'gate' | 'server' | 'init' | 'absent'>) {
    this.podList = states.flatMap((s, o): PodView[] => (s === 'absent' ? [] : [{
      metadata: { name: `demo-${o}`, uid: `u${o}`, labels: { 'ordinal.dev/cluster': 'demo' } },
      status: { podIP: `10.0.0.${o}`, containerStatuses: [{ name: 'mysql', state: s === 'init' ? {} : { running: {} } }] },
    }]));
    states.forEach((s, o) => this.gates.set(`10.0.0.${o}`, s === 'gate'));
  }
  pods = () => this.podList;
  async galeraGate(ip: string) { return this.gates.get(ip) ?? false; }
  async galeraPosition(): Promise<StoredPosition> { return empty; }
  async postStartMode(ip: string, decision: StartDecision) {
    this.posted.push({ ip, decision });
    return 1;
  }
  async patchPodLabels() {}
  async deletePod() {}
  async claimUid() { return undefined; }
  async deleteClaim() {}
  async writeHaState() {}
  async writePrimaryEndpoints() {}
  event() {}
}

function fakeLoop(plan: RecoveryPlan, stored: Record<number, StoredPosition>) {
  const started: number[] = [];
  const bootstraps: number[] = [];
  const loop = {
    plan: () => plan,
    storedPosition: (o: number) => stored[o],
    clusterPosition: () => undefined,
    isMember: () => false,
    started: (o: number) => void started.push(o),
    bootstrapping: async (o: number) => void bootstraps.push(o),
  } as unknown as GaleraLoop;
  return { loop, started, bootstraps };
}

const platform = (kube: FakeGaleraKube) => new KubeGaleraPlatform({ name: 'demo', namespace: 'db', replicas: () => 3, passwords: { operator: 'o', replication: 'r' } }, kube, quiet);

test('nodes: a pod runs its server only once its container left the start gate', async () => {
  const kube = new FakeGaleraKube(['server', 'gate', 'init']);
  const nodes = await platform(kube).nodes();
  assert.deepEqual(nodes.map((n) => [n.ordinal, n.running]), [[0, true], [1, false], [2, false]]);
  assert.equal(nodes[0].endpoint.host, '10.0.0.0');
  assert.equal(nodes[1].memberAddress, 'demo-1.demo-headless:3306', 'as the agent sets wsrep_node_incoming_address');
  const absent = await platform(new FakeGaleraKube(['server', 'absent', 'server'])).nodes();
  assert.deepEqual(absent.map((n) => n.running), [true, false, true]);
});

test('starts are offered to waiting pods only; a bootstrap is recorded once the pod took it', async () => {
  const kube = new FakeGaleraKube(['gate', 'gate', 'server']);
  const p = platform(kube);
  await p.nodes();
  const { loop, started, bootstraps } = fakeLoop(fresh, { 0: empty, 1: empty });
  p.offerStarts(loop);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(kube.posted.map((x) => [x.ip, x.decision.mode]), [['10.0.0.0', 'keep'], ['10.0.0.1', 'hold']]);
  assert.equal(kube.posted[0].decision.initialize, true);
  assert.deepEqual(started, [0]);
  assert.deepEqual(bootstraps, [0]);
});

test('the summary the phases read: the write node is the primary, other synced nodes are replicas', () => {
  const g: GaleraSummary = {
    phase: 'Degraded', writer: 1, clusterSize: 2, plan: join, observedAt: 5,
    nodes: [
      { ordinal: 0, role: 'node', ready: true, reachable: true, state: 'Synced', clusterStatus: 'Primary', localState: 4, seqno: 10, clusterSize: 2, flowControlPaused: 0, recvQueue: 0 },
      { ordinal: 1, role: 'writer', ready: true, reachable: true, state: 'Synced', clusterStatus: 'Primary', localState: 4, seqno: 10, clusterSize: 2, flowControlPaused: 0, recvQueue: 0 },
      { ordinal: 2, role: 'node', ready: false, reachable: false, state: 'Stopped', clusterStatus: null, localState: null, seqno: null, clusterSize: null, flowControlPaused: null, recvQueue: null, storedPosition: `${U}:9` },
    ],
  };
  const s = galeraClusterSummary(g, { ...initialState(), primary: 1, failovers: 2 })!;
  assert.deepEqual(s.instances.map((i) => [i.ordinal, i.role, i.ready, i.message]), [[0, 'replica', true, undefined], [1, 'primary', true, undefined], [2, 'unknown', false, 'Stopped']]);
  assert.equal(s.primary, 1);
  assert.equal(s.failovers, 2);
  assert.equal(s.message, undefined, 'a join is the normal plan: no message');
  const status = galeraStatus(g, initialState())!;
  assert.deepEqual(status.nodes.map((n) => [n.ordinal, n.state, n.seqno]), [[0, 'Synced', 10], [1, 'Synced', 10], [2, 'Stopped', null]]);
  assert.equal(status.nodes[2].storedPosition, `${U}:9`);
});
