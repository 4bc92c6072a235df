import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeConfig } from '@kubernetes/client-node';
import { LeaderElector } from '../../src/kube/leader.js';
import { kubeRequest } from '../../src/kube/request.js';
import { eventually, sleepMs, useApiServer } from './fixtures.js';
import { relayTo } from './proxy.js';

const ctx = useApiServer();

interface Candidate {
  elector: LeaderElector;
  name: string;
  startedAt?: number;
  stoppedAt?: number;
  aborts: number;
  starts: number;
  errors: unknown[];
}

function candidate(kc: KubeConfig, lease: string, name: string, timing: { lease: number; renew: number; retry: number }): Candidate {
  const c = { name, aborts: 0, starts: 0, errors: [] } as unknown as Candidate;
  c.elector = new LeaderElector(kc, {
    name: lease,
    namespace: 'default',
    identity: name,
    leaseDurationMs: timing.lease,
    renewDeadlineMs: timing.renew,
    retryPeriodMs: timing.retry,
    onError: (err) => c.errors.push(err),
    onStartedLeading: async (signal) => {
      c.starts += 1;
      c.startedAt = Date.now();
      await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
      c.aborts += 1;
      c.stoppedAt = Date.now();
    },
  });
  return c;
}

const leaders = (cs: Candidate[]) => cs.filter((c) => c.elector.isLeader()).map((c) => c.name);

async function holder(kc: KubeConfig, lease: string): Promise<string | undefined> {
  const l = await kubeRequest<{ spec?: { holderIdentity?: string } }>(kc, {
    method: 'GET',
    path: `/apis/coordination.k8s.io/v1/namespaces/default/leases/${lease}`,
  });
  return l.spec?.holderIdentity;
}

test('two electors: exactly one leads; the other takes over after the lease expires when the leader stops renewing', async () => {
  const kc = ctx.server.kubeconfig;
  const timing = { lease: 3_000, renew: 2_000, retry: 300 };
  const a = candidate(kc, 'expiry', 'a', timing);
  const b = candidate(kc, 'expiry', 'b', timing);
  a.elector.start();
  b.elector.start();
  const first = await eventually('a leader', () => leaders([a, b])[0]);
  for (let i = 0; i < 10; i++) {
    assert.deepEqual(leaders([a, b]), [first], 'never two leaders, never none once elected');
    await sleepMs(200);
  }
  const [leader, standby] = first === 'a' ? [a, b] : [b, a];
  assert.equal(await holder(kc, 'expiry'), leader.name);
  assert.equal(standby.starts, 0);

  await leader.elector.stop({ release: false }); // as if it died: the lease stays held
  const stoppedAt = Date.now();
  assert.equal(await holder(kc, 'expiry'), leader.name);
  await eventually('the standby leads', () => standby.elector.isLeader(), 30_000);
  assert.ok(standby.startedAt! - stoppedAt >= timing.lease - timing.retry * 2, 'not before the lease expired');
  assert.equal(await holder(kc, 'expiry'), standby.name);
  await standby.elector.stop();
});

test('a clean release hands over at once, long before the lease would expire', async () => {
  const kc = ctx.server.kubeconfig;
  const timing = { lease: 15_000, renew: 10_000, retry: 300 };
  const a = candidate(kc, 'release', 'a', timing);
  const b = candidate(kc, 'release', 'b', timing);
  a.elector.start();
  await eventually('a leads', () => a.elector.isLeader());
  b.elector.start();
  await sleepMs(1_000);
  assert.equal(b.elector.isLeader(), false);

  await a.elector.stop();
  assert.equal(a.aborts, 1, 'the leader stopped its work before releasing');
  const releasedAt = Date.now();
  await eventually('b leads', () => b.elector.isLeader(), 30_000);
  assert.ok(b.startedAt! - releasedAt < timing.lease / 2, `handover took ${b.startedAt! - releasedAt} ms`);
  assert.ok(b.startedAt! >= a.stoppedAt!, 'no overlap');
  await b.elector.stop();
  assert.equal(await holder(kc, 'release'), undefined, 'released: holderIdentity cleared');
});

test('a leader cut off from the API server stops leading before anyone else can start', async () => {
  const kc = ctx.server.kubeconfig;
  const timing = { lease: 4_000, renew: 2_000, retry: 300 };
  const relay = await relayTo(kc);
  const a = candidate(relay.kubeconfig, 'partition', 'a', timing);
  const b = candidate(kc, 'partition', 'b', timing);
  try {
    a.elector.start();
    await eventually('a leads', () => a.elector.isLeader());
    b.elector.start();
    await sleepMs(1_000);
    relay.cut();
    await eventually('b leads', () => b.elector.isLeader(), 30_000);
    assert.equal(a.aborts, 1);
    assert.equal(a.elector.isLeader(), false);
    assert.ok(a.errors.length > 0, 'the failed renewals were reported');
    assert.ok(a.stoppedAt! < b.startedAt!, 'a stopped before b started');
    // a's renew deadline is 2 s, b needs 4 s of silence: the gap is about 2 s, never negative.
    assert.ok(b.startedAt! - a.stoppedAt! >= 500, `gap ${b.startedAt! - a.stoppedAt!} ms`);
  } finally {
    await a.elector.stop({ release: false });
    await b.elector.stop();
    await relay.close();
  }
});
