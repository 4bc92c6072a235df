// KubePlatform's own logic, with an in-memory stand-in for the API server (FakeKube: the real
// one is exercised by test/e2e): the order of label patches and the rebuild's wait for a new claim.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubePlatform, type KubeAccess } from '../../src/platform/kube/platform.js';
import type { PodView } from '../../src/platform/kube/pods.js';
import { quiet } from './fixtures.js';

class FakeKube implements KubeAccess {
  calls: string[] = [];
  claims = new Map<string, string>();
  podList: PodView[];
  constructor(roles: string[]) {
    this.podList = roles.map((role, o) => ({
      metadata: { name: `demo-${o}`, uid: `u${o}`, labels: { 'ordinal.dev/cluster': 'demo', 'ordinal.dev/role': role, 'ordinal.dev/healthy': String(role !== 'none') } },
      status: { podIP: `10.0.0.${o}`, initContainerStatuses: [], containerStatuses: [{ name: 'mysql', state: { running: {} } }] },
    }));
  }
  pods = () => this.podList;
  async patchPodLabels(name: string, labels: Record<string, string>) {
    this.calls.push(`label ${name} ${labels['ordinal.dev/role']}`);
    const pod = this.podList.find((p) => p.metadata?.name === name)!;
    pod.metadata!.labels = { ...pod.metadata!.labels, ...labels };
  }
  async deletePod(name: string, grace: number) {
    this.calls.push(`delete pod ${name} ${grace}`);
  }
  async claimUid(name: string) {
    return this.claims.get(name);
  }
  async deleteClaim(name: string) {
    this.calls.push(`delete claim ${name}`);
    // The claim comes back new a moment later, as the StatefulSet recreates it.
    setTimeout(() => this.claims.set(name, 'new'), 1500);
  }
  async writeHaState() {}
  async writePrimaryEndpoints(primary: { pod: string; ip: string } | null) {
    this.calls.push(`endpoints ${primary ? `${primary.pod} ${primary.ip}` : 'none'}`);
  }
  offers: string[] = [];
  slowAgent?: Promise<void>;
  async postStartMode(ip: string, body: { mode: string }) {
    this.offers.push(`${ip} ${body.mode}`);
    await this.slowAgent;
    return 1;
  }
  event() {}
}

const platform = (kube: FakeKube) => new KubePlatform({ name: 'demo', namespace: 'db', replicas: () => 3, passwords: { operator: 'o', replication: 'r' } }, kube, quiet);

test('the read-write endpoints first, then the primary label is taken from the old primary before the new one gets it', async () => {
  const kube = new FakeKube(['replica', 'primary', 'replica']);
  await platform(kube).route({ readWrite: 0, readOnly: [2] });
  assert.deepEqual(kube.calls, ['endpoints demo-0 10.0.0.0', 'label demo-1 none', 'label demo-0 primary']);
});

test('the read-write endpoints are written when they change: to nobody during a failover, then to the new primary', async () => {
  const kube = new FakeKube(['primary', 'replica', 'replica']);
  const p = platform(kube);
  await p.route({ readWrite: 0, readOnly: [1, 2] });
  await p.route({ readWrite: 0, readOnly: [1, 2] });
  await p.route({ readWrite: null, readOnly: [] });
  await p.route({ readWrite: 1, readOnly: [2] });
  assert.deepEqual(kube.calls.filter((c) => c.startsWith('endpoints')), ['endpoints demo-0 10.0.0.0', 'endpoints none', 'endpoints demo-1 10.0.0.1']);
});

test('labels already right are not patched again, and a lagging cache is not re-patched', async () => {
  const kube = new FakeKube(['primary', 'replica', 'replica']);
  const p = platform(kube);
  await p.route({ readWrite: 0, readOnly: [1, 2] });
  assert.deepEqual(kube.calls, ['endpoints demo-0 10.0.0.0']);
  kube.calls.length = 0;
  await p.route({ readWrite: 0, readOnly: [1] });
  kube.podList[2].metadata!.labels!['ordinal.dev/role'] = 'replica'; // the cache has not seen the patch yet
  await p.route({ readWrite: 0, readOnly: [1] });
  assert.deepEqual(kube.calls, ['label demo-2 none']);
});

test('targets: a missing pod is not running; replicas reach instances by stable DNS name', async () => {
  const kube = new FakeKube(['primary', 'replica']);
  const targets = await platform(kube).targets();
  assert.equal(targets.length, 3);
  assert.deepEqual(targets[0].endpoint, { host: '10.0.0.0', port: 3306 });
  assert.deepEqual(targets[0].peer, { host: 'demo-0.demo-headless.db.svc.cluster.local', port: 3306 });
  assert.equal(targets[2].processRunning, false);
  assert.equal(targets[2].provisioning, true);
});

test('rebuild deletes the claim and the pod, and returns once a new claim exists', async () => {
  const kube = new FakeKube(['primary', 'replica', 'replica']);
  kube.claims.set('data-demo-2', 'old');
  await platform(kube).rebuild(2);
  assert.deepEqual(kube.calls.slice(0, 2), ['delete claim data-demo-2', 'delete pod demo-2 30']);
  // While the old claim lingered (1.5 s, one poll at least), the recreated pod was deleted
  // again so it cannot bind it.
  const again = kube.calls.slice(2);
  assert.ok(again.length >= 1, 'the pod was deleted again while the old claim lingered');
  assert.deepEqual(again, again.map(() => 'delete pod demo-2 0'));
  assert.equal(await kube.claimUid('data-demo-2'), 'new');
});

test('the fence of last resort deletes the pod without grace', async () => {
  const kube = new FakeKube(['primary', 'replica']);
  await platform(kube).restart(0);
  assert.deepEqual(kube.calls, ['delete pod demo-0 0']);
});

test("a start mode goes to the pod's IP, one request at a time per pod, never to a pod going away", async () => {
  const kube = new FakeKube(['primary', 'replica', 'replica']);
  let answer!: () => void;
  kube.slowAgent = new Promise((r) => (answer = r));
  const p = platform(kube);
  p.offerStart(1, 'truncate', 'primary 0 holds it');
  p.offerStart(1, 'truncate', 'primary 0 holds it'); // the agent has not answered the first yet
  kube.podList[2].metadata!.deletionTimestamp = '2026-11-30T00:00:00Z';
  p.offerStart(2, 'keep', 'x');
  assert.deepEqual(kube.offers, ['10.0.0.1 truncate']);
  answer();
  await new Promise((r) => setImmediate(r));
  p.offerStart(1, 'hold', 'failover from it');
  assert.deepEqual(kube.offers, ['10.0.0.1 truncate', '10.0.0.1 hold']);
});

test('a server its gate let start (keep or truncate) is starting until its container restarts; one held is not', async () => {
  const kube = new FakeKube(['primary', 'replica', 'replica']);
  const p = platform(kube);
  const starting = async () => (await p.targets()).map((t) => t.starting === true);
  assert.deepEqual(await starting(), [false, false, false], 'no word given yet');
  p.offerStart(0, 'keep', 'the recorded primary');
  p.offerStart(1, 'hold', 'failover from it');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(await starting(), [true, false, false]);
  // mariadbd exited, so the container restarted: its gate waits again.
  kube.podList[0].status!.containerStatuses![0].restartCount = 1;
  assert.deepEqual(await starting(), [false, false, false]);
  p.offerStart(0, 'truncate', 'primary 2 holds it');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(await starting(), [true, false, false]);
  kube.podList[0].metadata!.uid = 'u0-new'; // a new pod
  assert.deepEqual(await starting(), [false, false, false]);
});

test('an absent pod whose claim is kept has data: a first primary waits for it', async () => {
  const kube = new FakeKube(['none']);
  kube.claims.set('data-demo-1', 'u');
  const targets = await platform(kube).targets();
  assert.deepEqual(targets.map((t) => [t.ordinal, t.provisioning ?? false, t.hasData ?? false]), [[0, false, false], [1, true, true], [2, true, false]]);
});
