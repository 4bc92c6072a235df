import assert from 'node:assert/strict';
import test from 'node:test';
import { mayServe, parseNodeStatus, stateName } from '../../src/galera/node-state.js';
import { markSafeToBootstrap, parseGrastate, parseRecoveredPosition } from '../../src/galera/position.js';
import { chooseWriteNode, switchoverRefusal } from '../../src/galera/write-node.js';
import { nextRollingStep } from '../../src/galera/rolling.js';

const status = (over: Record<string, string>) => parseNodeStatus(new Map(Object.entries({
  wsrep_cluster_status: 'Primary', wsrep_local_state: '4', wsrep_ready: 'ON', wsrep_local_state_uuid: 'u', wsrep_last_committed: '7',
  wsrep_cluster_size: '3', wsrep_flow_control_paused: '0.5', wsrep_local_recv_queue: '2', ...over,
})));

test('mayServe: Primary and Synced, or Donor when allowed', () => {
  const table: Array<[string, Record<string, string>, boolean, boolean]> = [
    ['synced in Primary', {}, false, true],
    ['non-Primary', { wsrep_cluster_status: 'non-Primary' }, false, false],
    ['disconnected', { wsrep_cluster_status: 'Disconnected' }, true, false],
    ['joining', { wsrep_local_state: '1' }, true, false],
    ['joined, catching up', { wsrep_local_state: '3' }, true, false],
    ['donor, not allowed', { wsrep_local_state: '2' }, false, false],
    ['donor, allowed', { wsrep_local_state: '2' }, true, true],
    ['not ready', { wsrep_ready: 'OFF' }, false, false],
  ];
  for (const [name, over, donorOk, want] of table) assert.equal(mayServe(status(over), donorOk), want, name);
  assert.equal(mayServe(undefined, true), false, 'unreachable');
});

test('stateName and the parsed numbers', () => {
  assert.equal(stateName(status({})), 'Synced');
  assert.equal(stateName(status({ wsrep_cluster_status: 'non-Primary' })), 'NonPrimary');
  assert.equal(stateName(undefined), 'Unreachable');
  const s = status({});
  assert.deepEqual([s.lastCommitted, s.clusterSize, s.flowControlPaused, s.recvQueue], [7, 3, 0.5, 2]);
});

test('grastate.dat and --wsrep-recover output', () => {
  const file = '# GALERA saved state\nversion: 2.1\nuuid:    a04e9f70-ed38-11f1-bacc-f7d4489ec4cf\nseqno:   -1\nsafe_to_bootstrap: 0\n';
  assert.deepEqual(parseGrastate(file), { uuid: 'a04e9f70-ed38-11f1-bacc-f7d4489ec4cf', seqno: -1, safeToBootstrap: false });
  assert.equal(parseGrastate(markSafeToBootstrap(file))!.safeToBootstrap, true);
  assert.equal(parseGrastate(markSafeToBootstrap('version: 2.1\nuuid: x\nseqno: 3\n'))!.safeToBootstrap, true);
  assert.equal(parseGrastate('garbage'), undefined);
  const log = '2026-12-01  3:38:45 0 [Note] WSREP: Recovered position: a04e9f70-ed38-11f1-bacc-f7d4489ec4cf:7\n';
  assert.deepEqual(parseRecoveredPosition(log), { uuid: 'a04e9f70-ed38-11f1-bacc-f7d4489ec4cf', seqno: 7 });
  assert.equal(parseRecoveredPosition('[ERROR] Aborting'), undefined);
});

test('chooseWriteNode keeps the writer while it serves and moves at once', () => {
  const table: Array<[string, Parameters<typeof chooseWriteNode>[0], number | null]> = [
    ['first choice: the lowest synced', { current: null, serving: [1, 2] }, 1],
    ['stays while synced', { current: 2, serving: [0, 1, 2] }, 2],
    ['moves when it stops serving', { current: 2, serving: [0, 1] }, 0],
    ['nobody serves', { current: 2, serving: [] }, null],
    ['a switchover request', { current: 0, serving: [0, 1, 2], requested: 2 }, 2],
    ['a request for a node that does not serve is ignored', { current: 0, serving: [0, 1], requested: 2 }, 0],
  ];
  for (const [name, input, want] of table) assert.equal(chooseWriteNode(input).writer, want, name);
  assert.match(switchoverRefusal(2, 3, [0, 1])!, /not synced/);
  assert.match(switchoverRefusal(3, 3, [0, 1, 2])!, /does not exist/);
  assert.equal(switchoverRefusal(1, 3, [0, 1]), undefined);
});

test('nextRollingStep: one node at a time, all synced first, the write node last', () => {
  const table: Array<[string, Parameters<typeof nextRollingStep>[0], ReturnType<typeof nextRollingStep>['kind'], number?]> = [
    ['nothing stale', { replicas: 3, serving: [0, 1, 2], stale: [], writer: 0 }, 'none'],
    ['a node is not synced: wait', { replicas: 3, serving: [0, 1], stale: [1, 2], writer: 0 }, 'none'],
    ['a stale node that does not take writes first', { replicas: 3, serving: [0, 1, 2], stale: [0, 2], writer: 0 }, 'restart', 2],
    ['only the write node left: move the writes first', { replicas: 3, serving: [0, 1, 2], stale: [0], writer: 0 }, 'moveWriter'],
  ];
  for (const [name, input, kind, ordinal] of table) {
    const step = nextRollingStep(input);
    assert.equal(step.kind, kind, name);
    if (ordinal !== undefined) assert.equal((step as { ordinal: number }).ordinal, ordinal, name);
  }
});
