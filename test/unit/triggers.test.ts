import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterTrigger, summaryTrigger } from '../../src/controllers/triggers.js';
import type { ClusterSummary } from '../../src/clustering/summary.js';

const cluster = (meta: Record<string, unknown>, status: unknown = {}) => ({ metadata: { uid: 'u', generation: 1, ...meta }, status });

test('clusterTrigger: the spec, requests and deletion call for a reconcile; status writes do not', async (t) => {
  const base = cluster({ resourceVersion: '1' });
  const cases: Array<{ name: string; next: ReturnType<typeof cluster> | undefined; reconcile: boolean }> = [
    { name: 'a status write (new resourceVersion only)', next: cluster({ resourceVersion: '2' }, { phase: 'Running' }), reconcile: false },
    { name: 'a spec change (new generation)', next: cluster({ generation: 2 }), reconcile: true },
    { name: 'a request annotation', next: cluster({ annotations: { 'ordinal.dev/rebuild': '1' } }), reconcile: true },
    { name: 'deletion starts', next: cluster({ deletionTimestamp: '2026-11-30T12:00:00Z' }), reconcile: true },
    { name: 'deleted and created again (new uid)', next: cluster({ uid: 'v' }), reconcile: true },
    { name: 'gone', next: undefined, reconcile: true },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.equal(clusterTrigger(c.next) !== clusterTrigger(base), c.reconcile));
  }
});

test('summaryTrigger: what the status shows, with lag in coarse steps', async (t) => {
  const summary = (over: Partial<ClusterSummary['instances'][number]> = {}, phase: ClusterSummary['phase'] = 'Running', observedAt = 1000): ClusterSummary => ({
    phase, primary: 0, failovers: 0, switchovers: 0, observedAt,
    instances: [{ ordinal: 1, role: 'replica', ready: true, readOnly: true, errant: false, reachable: true, lagSeconds: 0, ...over }],
  });
  const cases: Array<{ name: string; next: ClusterSummary; write: boolean }> = [
    { name: 'lag 0 -> 1 s under writes', next: summary({ lagSeconds: 1 }), write: false },
    { name: 'a later tick, nothing else new', next: summary({}, 'Running', 1500), write: false },
    { name: 'lag past 5 s', next: summary({ lagSeconds: 7 }), write: true },
    { name: 'lag unknown (replication stopped)', next: summary({ lagSeconds: null }), write: true },
    { name: 'a replica no longer ready', next: summary({ ready: false }), write: true },
    { name: 'the phase', next: summary({}, 'Degraded'), write: true },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.equal(summaryTrigger(c.next) !== summaryTrigger(summary()), c.write));
  }
});
