import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromKubeCluster, fromLocalStatus, timeline, type ClusterEvent } from '../../src/dashboard/model.js';
import type { LocalStatus } from '../../src/platform/local/status.js';

const base: LocalStatus = {
  name: 'demo',
  phase: 'Running',
  primary: 1,
  endpoints: { readWrite: '127.0.0.1:3310', readOnly: '127.0.0.1:3311' },
  credentials: { user: 'app', database: 'app', passwordFile: '/x' },
  instances: [
    { ordinal: 0, pid: 10, port: 3300, role: 'replica', ready: true, readOnly: true, errant: false, reachable: true, lagSeconds: 0, gtid: '0-2-5' },
    { ordinal: 1, pid: 11, port: 3301, role: 'primary', ready: true, readOnly: false, errant: false, reachable: true, lagSeconds: null, gtid: '0-2-5' },
    { ordinal: 2, pid: null, port: 3302, role: 'replica', ready: false, readOnly: null, errant: true, reachable: false, lagSeconds: null, message: 'quarantined: errant 0-3-1' },
  ],
  failovers: 1,
  recoveries: 0,
  switchovers: 2,
  routes: { readWrite: 1, readOnly: [0] },
  events: [{ time: '2026-12-01T10:00:00.000Z', type: 'Warning', reason: 'FailedOver', message: 'instance 1 is the primary (was 0)' }],
  supervisor: { pid: 9, running: true },
};

test('fromLocalStatus: the view, the endpoints, the last failover and the backups', () => {
  const d = fromLocalStatus({ ...base, backupSchedule: { schedule: '0 3 * * *', location: 'file:///b', suspended: false, running: false, nextRun: '2026-12-02T03:00:00.000Z', lastRun: { id: 'x', startedAt: '2026-12-01T03:00:00.000Z', seconds: 2, ok: true }, failedRuns: 0, unrestorableRuns: 0 } });
  assert.equal(d.view.status?.primary, 1);
  assert.equal(d.view.status?.ready, '2/3');
  assert.deepEqual(d.view.status?.instances?.map((i) => [i.ordinal, i.role, i.errant, i.gtid]), [[0, 'replica', false, '0-2-5'], [1, 'primary', false, '0-2-5'], [2, 'replica', true, undefined]]);
  assert.equal(d.view.status?.instances?.[2].message, 'quarantined: errant 0-3-1');
  assert.deepEqual(d.endpoints.map((e) => e.name), ['read-write', 'read-only']);
  assert.equal(d.lastFailover, '2026-12-01T10:00:00.000Z');
  assert.equal(d.backups.location, 'file:///b');
  assert.equal(d.backups.last?.ok, true);
  assert.equal(d.view.mode, undefined);
});

test('fromLocalStatus: a Galera cluster has its nodes and the all-nodes endpoint; a provisioning instance says so', () => {
  const galera = { state: 'Synced', clusterStatus: 'Primary', localState: 4, seqno: 42, clusterSize: 3, flowControlPaused: 0, recvQueue: 0 };
  const d = fromLocalStatus({
    ...base,
    mode: 'galera',
    endpoints: { ...base.endpoints, readWriteAll: '127.0.0.1:3312' },
    instances: base.instances.map((i) => ({ ...i, galera, ...(i.ordinal === 2 ? { message: undefined, provisioning: { what: 'state transfer' } } : {}) })),
    galera: { writer: 1, clusterSize: 3, plan: 'none' },
  });
  assert.equal(d.view.mode, 'galera');
  assert.deepEqual(d.view.status?.galera?.nodes.map((n) => [n.ordinal, n.state, n.seqno]), [[0, 'Synced', 42], [1, 'Synced', 42], [2, 'Synced', 42]]);
  assert.deepEqual(d.endpoints.map((e) => e.name), ['read-write', 'read-write, every node', 'read-only']);
  assert.equal(d.view.status?.instances?.[2].message, 'provisioning: state transfer');
});

const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, s)).toISOString();
const ev = (s: number, reason: string): ClusterEvent => ({ time: at(s), type: 'Normal', reason, message: reason });

test('timeline: operation steps numbered with the seconds since the operation began', () => {
  const cases: Array<{ name: string; events: ClusterEvent[]; want: Array<[string, string | undefined, number | undefined, number | undefined, boolean | undefined]> }> = [
    {
      name: 'a failover with a fence between',
      events: [ev(0, 'Bootstrapped'), ev(10, 'FailoverStarted'), ev(11, 'Fenced'), ev(13, 'FailedOver'), ev(20, 'BackupCompleted')],
      want: [['Bootstrapped', undefined, undefined, undefined, undefined], ['FailoverStarted', 'failover', 1, 0, false], ['Fenced', 'failover', 2, 1, false], ['FailedOver', 'failover', 3, 3, true], ['BackupCompleted', undefined, undefined, undefined, undefined]],
    },
    {
      name: 'out of order input is sorted; an aborted switchover ends its operation',
      events: [ev(5, 'SwitchoverAborted'), ev(2, 'SwitchoverStarted'), ev(6, 'Fenced')],
      want: [['SwitchoverStarted', 'switchover', 1, 0, false], ['SwitchoverAborted', 'switchover', 2, 3, true], ['Fenced', undefined, undefined, undefined, undefined]],
    },
    {
      name: 'the start fell out of the kept events: the end alone is one step',
      events: [ev(3, 'Fenced'), ev(4, 'SwitchedOver')],
      want: [['Fenced', undefined, undefined, undefined, undefined], ['SwitchedOver', 'switchover', 1, 0, true]],
    },
  ];
  for (const c of cases) {
    const got = timeline(c.events).map((e) => [e.reason, e.operation?.kind, e.operation?.step, e.operation?.afterSeconds, e.operation?.done]);
    assert.deepEqual(got, c.want, c.name);
  }
});

test('fromKubeCluster: Services as endpoints, Events sorted, the last ended backup, the schedule', () => {
  const view = { name: 'demo', namespace: 'db', status: { primary: 0, instances: [] } };
  const d = fromKubeCluster({
    view,
    events: [
      { type: 'Warning', reason: 'FailedOver', message: 'b', lastTimestamp: at(20) },
      { type: 'Normal', reason: 'Bootstrapped', message: 'a', eventTime: at(1) },
      { reason: 'NoTime' },
    ],
    backups: [
      { metadata: { name: 'old' }, status: { phase: 'Completed', startTime: at(0), completionTime: at(4) } },
      { metadata: { name: 'new' }, status: { phase: 'Failed', startTime: at(30), completionTime: at(31), message: 'disk full' } },
      { metadata: { name: 'now' }, status: { phase: 'Running' } },
    ],
    schedules: [{ metadata: { name: 'nightly' }, spec: { schedule: '0 3 * * *' }, status: { nextScheduleTime: at(50) } }],
  });
  assert.deepEqual(d.endpoints.map((e) => e.address), ['demo-primary.db.svc:3306', 'demo-replicas.db.svc:3306', 'demo-read.db.svc:3306']);
  assert.deepEqual(d.events.map((e) => e.reason), ['Bootstrapped', 'FailedOver'], 'sorted, the one without a time left out');
  assert.equal(d.lastFailover, at(20));
  assert.deepEqual(d.backups.last, { id: 'new', at: at(31), ok: false, seconds: 1, error: 'disk full', verified: undefined });
  assert.equal(d.backups.running, true);
  assert.equal(d.backups.nextRun, at(50));
  const galera = fromKubeCluster({ view: { ...view, mode: 'galera' }, events: [], backups: [], schedules: [{ metadata: { name: 's' }, spec: { schedule: '* * * * *', suspend: true } }] });
  assert.deepEqual(galera.endpoints.map((e) => e.address), ['demo-primary.db.svc:3306', 'demo-read.db.svc:3306', 'demo-replicas.db.svc:3306']);
  assert.equal(galera.backups.nextRun, undefined, 'a suspended schedule has no next run');
});
