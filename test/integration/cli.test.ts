// The sandbox CLI end to end, as a user drives it: a bad spec creates nothing; up,
// status -o json, switchover, scale up and down (never removing the primary), logs,
// supervisor restarts that adopt running servers, down and down --purge.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { serversWith } from '../../src/platform/local/mariadbd.js';
import { join } from 'node:path';
import { Sandbox, sleep, supervisorPidOf } from './harness.js';

const sb = new Sandbox('cli', 14400);
const clusterDir = join(sb.home, 'clusters', sb.name);

after(async () => sb.down());

test('a bad spec is refused with field paths and creates nothing', async () => {
  const bad = join(sb.home, 'bad.yaml');
  writeFileSync(bad, 'apiVersion: ordinal.dev/v1alpha1\nkind: MySQLCluster\nmetadata: {name: cli}\nspec: {replicas: 0, failover: {detectionWindowSecond: 3}}\n');
  const r = await sb.cli(['local', 'up', '-f', bad]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /spec\.replicas: must be at least 1/);
  assert.match(r.stderr, /spec\.failover\.detectionWindowSecond: is not a known field \(did you mean "detectionWindowSeconds"\?\)/);
  assert.equal(existsSync(clusterDir), false, 'nothing was created');
});


test('up, status -o json, reads and writes through the endpoints', async () => {
  const r = await sb.up(3);
  assert.match(r.stdout, /cluster cli is Running: primary is instance 0/);
  assert.match(r.stdout, new RegExp(`read-write endpoint: 127.0.0.1:${sb.readWritePort}`));
  const s = await sb.status();
  assert.equal(s.name, 'cli');
  assert.equal(s.phase, 'Running');
  assert.equal(s.primary, 0);
  assert.deepEqual(s.endpoints, { readWrite: `127.0.0.1:${sb.readWritePort}`, readOnly: `127.0.0.1:${sb.readOnlyPort}` });
  assert.equal(s.credentials.user, 'app');
  assert.equal(s.credentials.database, 'app');
  assert.equal(statSync(s.credentials.passwordFile).mode & 0o777, 0o600, 'password file is 0600');
  assert.equal(s.failovers, 0);
  assert.equal(s.instances.length, 3);
  for (const i of s.instances) {
    assert.deepEqual(Object.keys(i).filter((k) => ['ordinal', 'pid', 'port', 'role', 'ready', 'readOnly', 'errant'].includes(k)).sort(), ['errant', 'ordinal', 'pid', 'port', 'readOnly', 'ready', 'role']);
    assert.match(readFileSync(`/proc/${i.pid}/cmdline`, 'utf8'), /mariadbd/, 'pid is the mariadbd process');
    assert.equal(i.port, sb.basePort + i.ordinal);
    assert.equal(i.role, i.ordinal === 0 ? 'primary' : 'replica');
    assert.equal(i.readOnly, i.ordinal !== 0);
    assert.equal(i.ready, true);
    assert.equal(i.errant, false);
  }
  // A starting server deletes every #sql file in its tmpdir: in a shared /tmp, those are the
  // temporary tables of every other server on the host. Each instance has a tmpdir of its own.
  const tmpdirs = await Promise.all(s.instances.map(async (i) => String((await sb.instanceQuery(i.ordinal, 'SELECT @@tmpdir AS d'))[0].d)));
  assert.deepEqual(tmpdirs, [0, 1, 2].map((o) => join(clusterDir, 'instances', String(o), 'tmp')));
  const table = await sb.cli(['local', 'status', sb.name]);
  assert.match(table.stdout, /ORDINAL\s+ROLE\s+READY/);
  assert.match(table.stdout, /0\s+primary\s+yes/);

  const rw = await sb.app();
  await rw.query('CREATE TABLE notes (id INT PRIMARY KEY, body TEXT)');
  await rw.query("INSERT INTO notes VALUES (1, 'hello')");
  rw.destroy();
  const ro = await sb.app(sb.readOnlyPort);
  const [[server]] = (await ro.query('SELECT @@server_id AS id, @@read_only AS ro')) as any;
  assert.equal(Number(server.ro), 1, 'the read-only endpoint reaches a replica');
  await assert.rejects(ro.query("INSERT INTO notes VALUES (2, 'x')"), /read-only/);
  let rows: any[] = [];
  for (let i = 0; i < 20 && rows.length === 0; i++) {
    [rows] = (await ro.query('SELECT body FROM notes')) as any;
    if (rows.length === 0) await sleep(100);
  }
  assert.equal(rows[0]?.body, 'hello', 'replicas serve what was written');
  ro.destroy();
});

test('no password in process arguments or logs', async () => {
  const secrets = ['app', 'operator', 'replication'].map((f) => readFileSync(join(clusterDir, 'secrets', f), 'utf8').trim());
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    for (const secret of secrets) assert.ok(!cmdline.includes(secret), `a password is in the arguments of pid ${pid}`);
  }
  const logs = [readFileSync(join(clusterDir, 'supervisor.log'), 'utf8'), ...[0, 1, 2].map((o) => readFileSync(join(clusterDir, 'instances', String(o), 'error.log'), 'utf8'))];
  for (const secret of secrets) for (const log of logs) assert.ok(!log.includes(secret), 'a password is in a log');
  const logsCmd = await sb.cli(['local', 'logs', sb.name, '1']);
  assert.equal(logsCmd.code, 0);
  assert.match(logsCmd.stdout, /mariadbd|ready for connections/i);
});

test('switchover without --to, then scale up to 4 and down to 2 without removing the primary', async () => {
  const sw = await sb.cli(['local', 'switchover', sb.name]);
  assert.equal(sw.code, 0, sw.stderr);
  let s = await sb.status();
  assert.notEqual(s.primary, 0);
  assert.equal(s.switchovers, 1);

  await sb.up(4);
  s = await sb.waitFor('four healthy instances', sb.healthy(4));
  const [n] = await sb.instanceQuery(3, 'SELECT COUNT(*) AS n FROM app.notes');
  assert.equal(Number(n.n), 1, 'the new instance was cloned with the data');

  const to3 = await sb.cli(['local', 'switchover', sb.name, '--to', '3']);
  assert.equal(to3.code, 0, to3.stderr);
  await sb.up(2);
  s = await sb.waitFor('two healthy instances', sb.healthy(2));
  assert.ok(s.primary === 0 || s.primary === 1, `the primary moved off a removed instance (primary ${s.primary})`);
  assert.deepEqual(s.instances.map((i) => i.ordinal), [0, 1]);
  const [m] = await sb.instanceQuery(s.primary!, 'SELECT COUNT(*) AS n FROM app.notes');
  assert.equal(Number(m.n), 1, 'no data lost by scaling');
  await sb.up(3);
  await sb.waitFor('three healthy instances again', sb.healthy(3));
});

test('a killed supervisor loses nothing: up adopts the running servers', async () => {
  const before = await sb.status();
  const supervisor = supervisorPidOf(sb)!;
  process.kill(supervisor, 'SIGKILL');
  await sleep(500);
  const during = await sb.status();
  assert.equal(during.phase, 'Stopped');
  assert.deepEqual(during.instances.map((i) => i.pid), before.instances.map((i) => i.pid), 'servers keep running');
  // Lose every pid record: the supervisor's, and mariadbd's own as it is while the server
  // rewrites it during a start (truncated). Neither may lead to a second server.
  for (const o of [0, 1, 2]) {
    rmSync(join(clusterDir, 'instances', String(o), 'server.pid'), { force: true });
    writeFileSync(join(clusterDir, 'instances', String(o), 'mariadbd.pid'), '');
  }
  await sb.up(3);
  await sb.waitFor('three healthy instances', sb.healthy(3));
  const afterUp = await sb.status();
  assert.deepEqual(afterUp.instances.map((i) => i.pid), before.instances.map((i) => i.pid), 'the same servers were adopted');
  for (const o of [0, 1, 2]) {
    assert.deepEqual(serversWith(join(clusterDir, 'instances', String(o), 'my.cnf')), [before.instances[o].pid], `one server of instance ${o}`);
  }
  assert.equal(afterUp.primary, before.primary);
});

test('down keeps data and up brings it back; down --purge deletes everything', async () => {
  const d = await sb.cli(['local', 'down', sb.name]);
  assert.equal(d.code, 0, d.stderr);
  const stopped = await sb.status();
  assert.equal(stopped.phase, 'Stopped');
  assert.ok(stopped.instances.every((i) => i.pid === null), 'every server stopped');
  await sb.up(3);
  const s = await sb.status();
  const [n] = await sb.instanceQuery(s.primary!, 'SELECT COUNT(*) AS n FROM app.notes');
  assert.equal(Number(n.n), 1);
  const purge = await sb.cli(['local', 'down', sb.name, '--purge']);
  assert.equal(purge.code, 0);
  assert.equal(existsSync(clusterDir), false);
});
