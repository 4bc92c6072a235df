import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterStatus, type StatusInput } from '../../src/controllers/status.js';
import type { ClusterSummary, InstanceSummary } from '../../src/clustering/summary.js';

const now = new Date('2026-11-22T10:00:00Z');
const inst = (ordinal: number, o: Partial<InstanceSummary> = {}): InstanceSummary => ({
  ordinal, role: ordinal === 0 ? 'primary' : 'replica', ready: true, readOnly: ordinal !== 0, errant: false, reachable: true, lagSeconds: 0, ...o,
});
const summary = (phase: ClusterSummary['phase'], instances = [inst(0), inst(1), inst(2)]): ClusterSummary => ({ phase, primary: 0, failovers: 1, switchovers: 0, instances, observedAt: now.getTime() });
const status = (o: Partial<StatusInput>) => clusterStatus({ name: 'demo', generation: 3, replicas: 3, now, ...o });
const cond = (s: ReturnType<typeof status>, type: string) => s.conditions.find((c) => c.type === type)!;

test('a healthy cluster is Ready, Available and not Degraded', () => {
  const s = status({ summary: summary('Running') });
  assert.equal(s.phase, 'Running');
  assert.equal(s.ready, '3/3');
  assert.equal(s.primary, 0);
  assert.deepEqual(s.conditions.map((c) => [c.type, c.status]), [['Ready', 'True'], ['Available', 'True'], ['Degraded', 'False']]);
  assert.ok(s.conditions.every((c) => c.observedGeneration === 3));
  assert.equal(s.selector, 'app.kubernetes.io/name=mariadb,app.kubernetes.io/instance=demo,ordinal.dev/cluster=demo');
});

test('conditions per situation', async (t) => {
  const cases: Array<{ name: string; input: Partial<StatusInput>; ready: string; reason: string; available: string; degraded: string; phase: string }> = [
    { name: 'creating', input: {}, ready: 'False', reason: 'Creating', available: 'False', degraded: 'False', phase: 'Creating' },
    { name: 'one replica down', input: { summary: summary('Degraded', [inst(0), inst(1), inst(2, { ready: false })]) }, ready: 'False', reason: 'Degraded', available: 'True', degraded: 'True', phase: 'Degraded' },
    { name: 'errant replica', input: { summary: summary('Degraded', [inst(0), inst(1), inst(2, { ready: false, errant: true })]) }, ready: 'False', reason: 'Degraded', available: 'True', degraded: 'True', phase: 'Degraded' },
    { name: 'failing over', input: { summary: summary('FailingOver') }, ready: 'False', reason: 'FailingOver', available: 'False', degraded: 'False', phase: 'FailingOver' },
    { name: 'refused spec', input: { summary: summary('Running'), refused: [{ path: 'spec.storage.size', message: 'cannot shrink' }] }, ready: 'False', reason: 'SpecRefused', available: 'True', degraded: 'False', phase: 'Refused' },
    { name: 'a phase failed', input: { summary: summary('Running'), failedPhase: { phase: 'StatefulSet', message: 'HTTP 422' } }, ready: 'False', reason: 'StatefulSetFailed', available: 'True', degraded: 'False', phase: 'Running' },
    { name: 'rolling update', input: { summary: summary('Running'), rollout: 'restarting instance 2' }, ready: 'False', reason: 'RollingUpdate', available: 'True', degraded: 'False', phase: 'Running' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const s = status(c.input);
      assert.equal(cond(s, 'Ready').status, c.ready);
      assert.equal(cond(s, 'Ready').reason, c.reason);
      assert.equal(cond(s, 'Available').status, c.available);
      assert.equal(cond(s, 'Degraded').status, c.degraded);
      assert.equal(s.phase, c.phase);
    });
  }
});

test('the refused fields are named in the message', () => {
  const s = status({ refused: [{ path: 'spec.storage.size', message: 'cannot shrink from 10Gi to 5Gi' }] });
  assert.match(cond(s, 'Ready').message, /spec\.storage\.size cannot shrink from 10Gi to 5Gi/);
});

test('lastTransitionTime moves only when a condition changes status', () => {
  const first = status({ summary: summary('Running') });
  const later = clusterStatus({ name: 'demo', generation: 4, replicas: 3, now: new Date('2026-11-22T11:00:00Z'), summary: summary('Running'), previous: first.conditions });
  assert.equal(cond(later, 'Ready').lastTransitionTime, cond(first, 'Ready').lastTransitionTime);
  const down = clusterStatus({ name: 'demo', generation: 4, replicas: 3, now: new Date('2026-11-22T11:00:00Z'), summary: summary('FailingOver'), previous: first.conditions });
  assert.notEqual(cond(down, 'Ready').lastTransitionTime, cond(first, 'Ready').lastTransitionTime);
});

test('spec.pitr: the archive in status, and its continuity as a condition', async (t) => {
  const view = (o: object) => ({ location: 's3://b/p', archiving: true, continuous: true, segments: 4, lastRecoverableTime: '2026-11-22T09:59:50Z', ...o });
  const table: Array<[string, StatusInput['archive'], [string, string], object]> = [
    ['continuous', view({}), ['True', 'Continuous'], { location: 's3://b/p', lastRecoverableTime: '2026-11-22T09:59:50Z', continuous: true, segments: 4 }],
    ['a gap', view({ continuous: false }), ['False', 'ArchiveGap'], { location: 's3://b/p', lastRecoverableTime: '2026-11-22T09:59:50Z', continuous: false, segments: 4 }],
    ['the last round failed (the gap is still unknown)', view({ error: 'S3 does not answer' }), ['True', 'Continuous'], { location: 's3://b/p', lastRecoverableTime: '2026-11-22T09:59:50Z', continuous: true, segments: 4, error: 'S3 does not answer' }],
    ['the primary\'s agent did not answer', { error: 'no answer within 3000 ms' }, ['Unknown', 'ArchiveUnreachable'], { error: 'no answer within 3000 ms' }],
  ];
  for (const [name, archive, [st, reason], pitr] of table) {
    await t.test(name, () => {
      const s = status({ summary: summary('Running'), archive });
      assert.deepEqual([cond(s, 'ArchiveContinuous').status, cond(s, 'ArchiveContinuous').reason], [st, reason]);
      assert.deepEqual(s.pitr, pitr);
    });
  }
  assert.equal(status({ summary: summary('Running') }).pitr, undefined, 'no spec.pitr: no field, no condition');
});
