import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentConfig } from '../../src/agent/config.js';
import { parseDecision, StartGate } from '../../src/agent/start-gate.js';
import { planData, type DataPlan, type PeerAnswer } from '../../src/agent/donor.js';
import type { InstanceStatus } from '../../src/agent/instance-status.js';

const replicating = { sourceHost: 'x', sourcePort: 3306, ioRunning: 'Yes', sqlRunning: true, lastIoError: '', lastSqlError: '' };
const primary = (peer: string): PeerAnswer => ({ peer, status: { ordinal: 0, hasData: true, serverUp: true, readOnly: false } });
const replica = (peer: string, over: Partial<InstanceStatus['replication']> = {}): PeerAnswer => ({
  peer,
  status: { ordinal: 1, hasData: true, serverUp: true, readOnly: true, replication: { ...replicating, ...over } },
});
const empty = (peer: string): PeerAnswer => ({ peer, status: { ordinal: 2, hasData: false, serverUp: false } });
const down = (peer: string): PeerAnswer => ({ peer, status: { ordinal: 1, hasData: true, serverUp: false } });
const silent = (peer: string): PeerAnswer => ({ peer, error: 'ECONNREFUSED' });
const absent = (peer: string): PeerAnswer => ({ peer, error: 'ENOTFOUND', absent: true });

const cases: Array<{ name: string; ordinal: number; answers: PeerAnswer[]; want: DataPlan['kind'] | string }> = [
  { name: 'a healthy replica before the primary', ordinal: 2, answers: [primary('p'), replica('r')], want: 'r' },
  { name: 'the primary when no replica is healthy', ordinal: 2, answers: [primary('p'), replica('r', { ioRunning: 'Connecting' })], want: 'p' },
  { name: 'a replica with an SQL error is no donor', ordinal: 2, answers: [replica('r', { lastSqlError: 'dup' }), primary('p')], want: 'p' },
  { name: 'a replica with a stopped applier is no donor', ordinal: 2, answers: [replica('r', { sqlRunning: false }), primary('p')], want: 'p' },
  { name: 'read-only without replication is no donor', ordinal: 2, answers: [{ peer: 'r', status: { ...replica('r').status!, replication: undefined } }], want: 'wait' },
  { name: 'never a peer without data', ordinal: 1, answers: [{ peer: 'e', status: { ordinal: 0, hasData: false, serverUp: true, readOnly: false } }], want: 'wait' },
  { name: 'data but the server is down: wait', ordinal: 0, answers: [down('d'), absent('a')], want: 'wait' },
  { name: 'ordinal 0, nobody has data: initialize', ordinal: 0, answers: [empty('e'), absent('a')], want: 'initialize' },
  { name: 'ordinal 0, no peers at all: initialize', ordinal: 0, answers: [], want: 'initialize' },
  { name: 'ordinal 0, a silent peer may hold data: wait', ordinal: 0, answers: [empty('e'), silent('s')], want: 'wait' },
  { name: 'ordinal 1, nobody has data: wait for instance 0', ordinal: 1, answers: [empty('e')], want: 'wait' },
];

for (const c of cases) {
  test(`donor: ${c.name}`, () => {
    const plan = planData(c.ordinal, c.answers);
    assert.equal(plan.kind === 'clone' ? plan.donor : plan.kind, c.want);
  });
}

test('config: the doc\'s paths and DNS peers by default', () => {
  const cfg = agentConfig({ POD_NAME: 'db-1', CLUSTER_NAME: 'db', HEADLESS_SERVICE: 'db-headless', REPLICAS: '3' });
  assert.equal(cfg.ordinal, 1);
  assert.deepEqual(cfg.peers, ['db-0.db-headless:9601', 'db-2.db-headless:9601']);
  assert.equal(cfg.datadir, '/var/lib/mysql/data');
  assert.equal(cfg.socket, '/run/mysqld/mysqld.sock');
  assert.equal(cfg.myCnf, '/etc/ordinal/mysql/my.cnf');
  assert.equal(cfg.mysqlPort, 3306);
});

test('config: ORDINAL_AGENT_ROOT, ports and ORDINAL_PEERS override', () => {
  const cfg = agentConfig({ POD_NAME: 'db-0', ORDINAL_AGENT_ROOT: '/tmp/x', ORDINAL_PEERS: 'h:1, h:2', ORDINAL_AGENT_PORT: '15001', ORDINAL_MYSQL_PORT: '15000' });
  assert.deepEqual(cfg.peers, ['h:1', 'h:2']);
  assert.equal(cfg.datadir, '/tmp/x/var/lib/mysql/data');
  assert.deepEqual([cfg.agentPort, cfg.mysqlPort], [15001, 15000]);
  assert.deepEqual(agentConfig({ POD_NAME: 'db-0', ORDINAL_PEERS: '' }).peers, []);
});

test('config: a pod name without an ordinal or of another cluster is refused', () => {
  assert.throws(() => agentConfig({ POD_NAME: 'db', REPLICAS: '1' }), /not NAME-ORDINAL/);
  assert.throws(() => agentConfig({ POD_NAME: 'db-0', CLUSTER_NAME: 'other', REPLICAS: '1' }), /does not belong/);
  assert.throws(() => agentConfig({ POD_NAME: 'db-0', ORDINAL_AGENT_ROOT: '/nonexistent' }), /ENOENT/);
});

test('config: without REPLICAS the peers follow spec.replicas of the cluster file', () => {
  const root = mkdtempSync(join(tmpdir(), 'agent-cfg-'));
  mkdirSync(join(root, 'etc/ordinal/cluster'), { recursive: true });
  writeFileSync(join(root, 'etc/ordinal/cluster/cluster.json'), JSON.stringify({ spec: { replicas: 4 } }));
  const cfg = agentConfig({ POD_NAME: 'db-2', ORDINAL_AGENT_ROOT: root });
  assert.deepEqual(cfg.peers, ['db-0.db-headless:9601', 'db-1.db-headless:9601', 'db-3.db-headless:9601']);
  writeFileSync(join(root, 'etc/ordinal/cluster/cluster.json'), JSON.stringify({ spec: {} }));
  assert.throws(() => agentConfig({ POD_NAME: 'db-2', ORDINAL_AGENT_ROOT: root }), /spec\.replicas .* is not a positive integer/);
  rmSync(root, { recursive: true, force: true });
});

test('start decisions: Galera arguments only from an allow-list, never a path or a setting', () => {
  const u = '11111111-2222-3333-4444-555555555555';
  const ok = parseDecision(JSON.stringify({ mode: 'keep', why: 'w', args: ['--wsrep-new-cluster', `--wsrep-start-position=${u}:42`], bootstrap: true, initialize: 'yes' }));
  assert.deepEqual(ok, { mode: 'keep', why: 'w', args: ['--wsrep-new-cluster', `--wsrep-start-position=${u}:42`], bootstrap: true });
  for (const bad of [['--datadir=/tmp'], ['--wsrep-new-cluster --skip-grant-tables'], [`--wsrep-start-position=${u}:1;rm`], [42]]) {
    assert.throws(() => parseDecision(JSON.stringify({ mode: 'keep', args: bad })), /args may only be/, JSON.stringify(bad));
  }
  assert.deepEqual(parseDecision(JSON.stringify({ mode: 'hold', why: 'h' })), { mode: 'hold', why: 'h' });
});

test('the start gate knows whether the server waits: asked while polled, not once a start was given', async () => {
  const gate = new StartGate();
  assert.equal(gate.asked(), false, 'nobody asked yet');
  const next = gate.next(10_000);
  assert.equal(gate.asked(), true);
  assert.equal(gate.decide({ mode: 'hold', why: 'h' }), 1);
  await next;
  assert.equal(gate.asked(), true, 'a hold keeps it waiting');
  const again = gate.next(10_000);
  assert.equal(gate.decide({ mode: 'keep', why: 'go' }), 1);
  assert.deepEqual(await again, { mode: 'keep', why: 'go' });
  assert.equal(gate.asked(), false, 'the server starts');
});
