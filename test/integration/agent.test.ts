// The instance agent without Kubernetes: two "pods" are folders (ORDINAL_AGENT_ROOT) on this
// machine, each with a real mariadbd started the way the pod's mysql container starts it.
// Instance 0 is initialized by `agent init-data` (no peer has data) and served by `agent
// serve`; instance 1 is cloned from it over HTTP while the primary takes writes, then
// replicates from the position the clone recorded.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mysql from 'mysql2/promise';
import { readBackupGtid } from '../../src/mariadb/backup-tools.js';
import { parseCluster } from '../../src/api/validate.js';
import { runBackupJob } from '../../src/platform/kube/backup-job.js';
import { runRestoreJob } from '../../src/platform/kube/restore-job.js';
import { stopProcess } from '../../src/platform/local/mariadbd.js';
import { sleep } from './harness.js';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');
const CLUSTER = 'agt';
const secrets = {
  operator: randomBytes(12).toString('base64url'),
  replication: randomBytes(12).toString('base64url'),
  app: randomBytes(12).toString('base64url'),
  exporter: randomBytes(12).toString('base64url'),
  'agent-token': randomBytes(24).toString('base64url'),
};

class Pod {
  readonly root = mkdtempSync(join(tmpdir(), 'ord-agent-'));
  private readonly children: ChildProcess[] = [];
  mariadbdPid?: number;

  constructor(readonly ordinal: number, readonly mysqlPort: number, readonly agentPort: number, readonly peers: string[]) {
    chmodSync(this.root, 0o755); // mariadbd runs as mysql when the tests run as root
    this.writeInputs(secrets['agent-token']);
  }

  /** What the ConfigMap and the Secret would mount. */
  writeInputs(token: string): void {
    mkdirSync(join(this.root, 'etc/ordinal/cluster'), { recursive: true });
    mkdirSync(join(this.root, 'etc/ordinal/secrets'), { recursive: true });
    const cluster = { apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLCluster', metadata: { name: CLUSTER }, spec: { replicas: 2 } };
    writeFileSync(join(this.root, 'etc/ordinal/cluster/cluster.json'), JSON.stringify(cluster));
    for (const [key, value] of Object.entries({ ...secrets, 'agent-token': token })) {
      writeFileSync(join(this.root, 'etc/ordinal/secrets', key), `${value}\n`, { mode: 0o400 });
    }
  }

  get env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      ORDINAL_AGENT_ROOT: this.root,
      POD_NAME: `${CLUSTER}-${this.ordinal}`,
      CLUSTER_NAME: CLUSTER,
      HEADLESS_SERVICE: `${CLUSTER}-headless`,
      REPLICAS: '2',
      ORDINAL_PEERS: this.peers.join(','),
      ORDINAL_MYSQL_PORT: String(this.mysqlPort),
      ORDINAL_AGENT_PORT: String(this.agentPort),
    };
  }

  path(p: string): string {
    return join(this.root, p);
  }

  agent(command: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((done) => {
      execFile(process.execPath, ['--import', 'tsx', MAIN, 'agent', command, ...args], { cwd: ROOT, env: this.env, timeout: 300_000 }, (err, stdout, stderr) => {
        done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  /** The mysql container: mariadbd with the rendered my.cnf, its stderr to a file. */
  startServer(): void {
    const out = openSync(this.path('mariadbd.log'), 'a');
    const child = spawn('/usr/sbin/mariadbd', [`--defaults-file=${this.path('etc/ordinal/mysql/my.cnf')}`], { stdio: ['ignore', out, out] });
    this.mariadbdPid = child.pid;
  }

  /** The agent container. */
  serve(): void {
    const out = openSync(this.path('agent.log'), 'a');
    this.children.push(spawn(process.execPath, ['--import', 'tsx', MAIN, 'agent', 'serve'], { cwd: ROOT, env: this.env, stdio: ['ignore', out, out] }));
  }

  get(path: string, token?: string): Promise<{ status: number; body: string }> {
    return fetch(`http://127.0.0.1:${this.agentPort}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })
      .then(async (r) => ({ status: r.status, body: await r.text() }));
  }

  async waitReady(): Promise<void> {
    for (let i = 0; i < 600; i++) {
      try {
        if ((await this.get('/ready')).status === 200) return;
      } catch {
        /* agent starting */
      }
      await sleep(200);
    }
    throw new Error(`instance ${this.ordinal} never became ready:\n${this.logs()}`);
  }

  async query<T = any>(sql: string, params: unknown[] = [], user = 'ordinal', password = secrets.operator): Promise<T[]> {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: this.mysqlPort, user, password, connectTimeout: 3000 });
    try {
      const [rows] = await c.query({ sql, values: params, timeout: 120_000 });
      return rows as T[];
    } finally {
      c.destroy();
    }
  }

  /** Replicate from `source` from the position this server holds (GTID, slave_pos). */
  async replicateFrom(source: Pod): Promise<void> {
    await this.query(
      "CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ?, MASTER_USER = 'ordinal_repl', MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos",
      [source.mysqlPort, secrets.replication],
    );
    await this.query('START SLAVE');
  }

  logs(): string {
    const tail = (f: string) => (existsSync(this.path(f)) ? readFileSync(this.path(f), 'utf8').trim().split('\n').slice(-15).join('\n') : '');
    return `--- ${this.ordinal} mariadbd ---\n${tail('mariadbd.log')}\n--- ${this.ordinal} agent ---\n${tail('agent.log')}`;
  }

  async stop(): Promise<void> {
    for (const c of this.children) if (c.pid) await stopProcess(c.pid, 5000);
    await stopProcess(this.mariadbdPid, 30_000);
    rmSync(this.root, { recursive: true, force: true });
  }
}

const primary = new Pod(0, 15010, 15011, []);
const replica = new Pod(1, 15020, 15021, ['127.0.0.1:15011']);
// Cloned from the replica: replica holds no agent of a primary, so it is the only donor.
const second = new Pod(2, 15030, 15031, ['127.0.0.1:15021']);
// Instance 0 of a cluster restored from a backup (its restore Job's claim).
const restored = new Pod(0, 15040, 15041, []);
after(async () => {
  await restored.stop();
  await second.stop();
  await replica.stop();
  await primary.stop();
});

const initFileOf = (pod: Pod) => pod.path('var/lib/mysql/init.sql');
const datadirOf = (pod: Pod) => pod.path('var/lib/mysql/data');

test('instance 0 of a new cluster is initialized and serves', async () => {
  const config = await primary.agent('init-config');
  assert.equal(config.code, 0, config.stderr);
  const myCnf = readFileSync(primary.path('etc/ordinal/mysql/my.cnf'), 'utf8');
  assert.match(myCnf, /^server_id = 1$/m);
  assert.match(myCnf, /^bind_address = 0\.0\.0\.0$/m);
  assert.doesNotMatch(myCnf, /^log_error/m, 'mariadbd logs to stderr');
  for (const f of ['client.cnf', 'exporter.cnf']) {
    assert.equal(statSync(primary.path(`etc/ordinal/mysql/${f}`)).mode & 0o777, 0o600, f);
  }
  assert.match(readFileSync(primary.path('etc/ordinal/mysql/exporter.cnf'), 'utf8'), /^user=ordinal_exporter$/m);

  const data = await primary.agent('init-data');
  assert.equal(data.code, 0, data.stderr);
  assert.match(data.stdout, /initializing an empty data dir/);
  assert.equal(statSync(initFileOf(primary)).mode & 0o777, 0o600);

  primary.startServer();
  primary.serve();
  await primary.waitReady();
  assert.match(readFileSync(primary.path('mariadbd.log'), 'utf8'), /ready for connections/, 'the error log went to stderr');
  await waitFor('the init file to be emptied', () => statSync(initFileOf(primary)).size === 0);

  const [grants] = await primary.query("SHOW GRANTS FOR 'ordinal_exporter'@'%'");
  // 10.11 spells REPLICATION CLIENT as BINLOG MONITOR.
  assert.match(Object.values(grants)[0] as string, /^GRANT SELECT, PROCESS, BINLOG MONITOR ON \*\.\* .*MAX_USER_CONNECTIONS 3$/);
  await primary.query('SET GLOBAL read_only = OFF');
  await primary.query('CREATE TABLE app.t (id INT AUTO_INCREMENT PRIMARY KEY, body VARCHAR(200)) ENGINE=InnoDB');
  await primary.query("INSERT INTO app.t (body) SELECT REPEAT('x', 100) FROM app.seq_1_to_20000");
});

test('/clone, /binlog-state and /gtid-at need the agent token; /status holds no secret', async () => {
  assert.equal((await primary.get('/healthz')).status, 200);
  assert.equal((await primary.get('/clone')).status, 401);
  assert.equal((await primary.get('/clone', 'not-the-token')).status, 401);
  assert.equal((await primary.get('/binlog-state')).status, 401);
  const state = await primary.get('/binlog-state', secrets['agent-token']);
  assert.equal(state.status, 200);
  assert.match(state.body, /^0-1-\d+/);
  assert.equal((await primary.get('/gtid-at?file=mariadb-bin.000001&pos=4')).status, 401);
  assert.equal((await primary.get('/gtid-at?file=../x&pos=4', secrets['agent-token'])).status, 400);
  const first = await primary.get('/gtid-at?file=mariadb-bin.000001&pos=4', secrets['agent-token']);
  assert.equal(first.status, 200);
  assert.equal(first.body.trim(), '', 'nothing precedes the first event of the first binlog');

  const status = await primary.get('/status');
  assert.equal(status.status, 200);
  const s = JSON.parse(status.body);
  assert.deepEqual([s.ordinal, s.hasData, s.serverUp, s.readOnly], [0, true, true, false]);
  assert.match(s.gtidBinlogPos, /^0-1-\d+$/);
  for (const [key, value] of Object.entries(secrets)) assert.ok(!status.body.includes(value), `/status leaks the ${key} secret`);
});

test('a wrong agent token fails init-data clearly and leaves no data dir', async () => {
  replica.writeInputs('a-wrong-token');
  assert.equal((await replica.agent('init-config')).code, 0);
  const r = await replica.agent('init-data');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /HTTP 401.*agent token/);
  assert.ok(!r.stderr.includes('a-wrong-token'), 'the token is not printed');
  assert.equal(existsSync(datadirOf(replica)), false, 'no data dir');
  assert.equal(existsSync(`${datadirOf(replica)}.clone`), false, 'no staging dir');
  replica.writeInputs(secrets['agent-token']);
});

test('a clone under writes replicates from its recorded position and ends identical', async () => {
  let writing = true;
  const writes = (async () => {
    let n = 0;
    while (writing) {
      await primary.query('INSERT INTO app.t (body) VALUES (?)', [`during clone ${n++}`], 'app', secrets.app);
    }
    return n;
  })();
  const r = await replica.agent('init-data').finally(() => (writing = false));
  const during = await writes;
  assert.equal(r.code, 0, `${r.stderr}\n${primary.logs()}`);
  assert.match(r.stdout, /cloning from 127\.0\.0\.1:15011 \(primary\)/);
  assert.match(r.stdout, /cloned from 127\.0\.0\.1:15011: [\d.]+ MB in [\d.]+ s/);
  assert.ok(during > 0, 'the primary took writes during the clone');
  const backupGtid = readBackupGtid(datadirOf(replica));
  assert.match(backupGtid, /^0-1-\d+$/);

  replica.startServer();
  replica.serve();
  await replica.waitReady();
  const [pos] = await replica.query('SELECT @@gtid_slave_pos AS p, @@gtid_binlog_pos AS b');
  assert.equal(pos.p, backupGtid, 'gtid_slave_pos is the backup position');
  assert.equal(pos.b, backupGtid, 'the binlog state is trimmed to the backup position');
  await waitFor('the init file to be emptied', () => statSync(initFileOf(replica)).size === 0);

  await replica.replicateFrom(primary);
  const [target] = await primary.query('SELECT @@gtid_binlog_pos AS p');
  const [waited] = await replica.query('SELECT MASTER_GTID_WAIT(?, 60) AS r', [target.p]);
  assert.equal(Number(waited.r), 0, `the replica caught up:\n${replica.logs()}`);
  const [a] = await primary.query('CHECKSUM TABLE app.t');
  const [b] = await replica.query('CHECKSUM TABLE app.t');
  assert.equal(b.Checksum, a.Checksum);

  const s = JSON.parse((await replica.get('/status')).body);
  assert.deepEqual([s.readOnly, s.replication?.ioRunning, s.replication?.sqlRunning], [true, 'Yes', true], 'a healthy replica: a donor from now on');
});

// A donor that is itself a fresh clone (its own binlog just begun) and applies a backlog in
// parallel while it is copied: the copy's position must still be exact, or the new replica
// stops on a duplicate key (or silently skips rows).
test('a clone of a fresh replica under concurrent writes resumes exactly where its copy ends', async () => {
  assert.equal((await second.agent('init-config')).code, 0);
  for (let round = 1; round <= 3; round++) {
    // The donor applies a backlog in parallel while it is copied, as a replica that just started does.
    await replica.query('STOP SLAVE SQL_THREAD');
    await Promise.all([1, 2, 3, 4].map(async (w) => {
      for (let n = 0; n < 400; n++) await primary.query('INSERT INTO app.t (body) VALUES (?)', [`backlog ${w} ${n}`], 'app', secrets.app);
    }));
    await replica.query('START SLAVE SQL_THREAD');
    let writing = true;
    const writers = [1, 2, 3, 4].map(async (w) => {
      let n = 0;
      while (writing) await primary.query('INSERT INTO app.t (body) VALUES (?)', [`writer ${w} row ${n++}`], 'app', secrets.app);
    });
    const r = await second.agent('init-data').finally(() => (writing = false));
    await Promise.all(writers);
    assert.equal(r.code, 0, `${r.stderr}\n${replica.logs()}`);
    assert.match(r.stdout, /cloning from 127\.0\.0\.1:15021 \(replica\)/);

    second.startServer();
    await waitFor('the clone of instance 2 to answer SQL', () => second.query('SELECT 1').then(() => true, () => false));
    await second.replicateFrom(primary);
    const [target] = await primary.query('SELECT @@gtid_binlog_pos AS p');
    const [waited] = await second.query('SELECT MASTER_GTID_WAIT(?, 60) AS r', [target.p]);
    const [status] = await second.query('SHOW SLAVE STATUS');
    assert.equal(Number(waited.r), 0, `round ${round}: the clone caught up: ${status?.Last_SQL_Error}`);
    const [a] = await primary.query('CHECKSUM TABLE app.t');
    const [b] = await second.query('CHECKSUM TABLE app.t');
    assert.equal(b.Checksum, a.Checksum, `round ${round}`);
    await stopProcess(second.mariadbdPid, 30_000);
    rmSync(datadirOf(second), { recursive: true, force: true });
  }
});

// The init file is emptied by the agent once the server answers; a crash before that must not
// run it again: it would set the clone back to the copy's position (the e2e cluster once saw a
// replica stop on a duplicate key of the very first row after a full crash).
test('a clone that crashes before its init file was emptied resumes where it was, not at the copy', async () => {
  const r = await second.agent('init-data');
  assert.equal(r.code, 0, r.stderr);
  second.startServer(); // no agent serves this pod: nobody empties the init file
  await waitFor('the clone of instance 2 to answer SQL', () => second.query('SELECT 1').then(() => true, () => false));
  await second.replicateFrom(primary);
  const write = async (n: number) => {
    for (let i = 0; i < n; i++) await primary.query('INSERT INTO app.t (body) VALUES (?)', [`after the clone ${i}`], 'app', secrets.app);
    const [target] = await primary.query('SELECT @@gtid_binlog_pos AS p');
    return target.p as string;
  };
  const [w1] = await second.query('SELECT MASTER_GTID_WAIT(?, 60) AS r', [await write(50)]);
  assert.equal(Number(w1.r), 0);
  assert.ok(statSync(initFileOf(second)).size > 0, 'the window is open: the init file is still there');
  process.kill(second.mariadbdPid!, 'SIGKILL');
  await waitFor('the killed server to be gone', () => !existsSync(`/proc/${second.mariadbdPid}`));

  const before = await second.agent('start-args', '--silence-seconds', '0'); // the mysql container, before every start
  assert.equal(before.code, 0, before.stderr);
  assert.match(before.stderr, /ran at an earlier start .*emptied it/);
  assert.equal(statSync(initFileOf(second)).size, 0);
  second.startServer();
  await waitFor('the clone of instance 2 to answer SQL', () => second.query('SELECT 1').then(() => true, () => false));
  await second.query('START SLAVE');
  const [w2] = await second.query('SELECT MASTER_GTID_WAIT(?, 30) AS r', [await write(50)]);
  const [status] = await second.query('SHOW SLAVE STATUS');
  assert.equal(Number(w2.r), 0, `replication resumed where it was: ${status?.Last_SQL_Error}`);
  const [a] = await primary.query('CHECKSUM TABLE app.t');
  const [b] = await second.query('CHECKSUM TABLE app.t');
  assert.equal(b.Checksum, a.Checksum);
  await stopProcess(second.mariadbdPid, 30_000);
  rmSync(datadirOf(second), { recursive: true, force: true });
});

test('a backup Job takes a physical backup through the agent and a logical one over SQL; a wrong token fails it cleanly', async () => {
  const claim = mkdtempSync(join(tmpdir(), 'ord-claim-'));
  const secretsDir = replica.path('etc/ordinal/secrets');
  const env = { secretsDir, pvcMount: claim, archiveMount: claim, scratch: join(claim, '..', `${claim.split('/').pop()}-scratch`), terminationLog: join(claim, '..', `${claim.split('/').pop()}-termination`) };
  const storage = { pvc: { claimName: 'backups', path: '/prod' } };
  const source = { ordinal: 0, role: 'primary' as const, host: '127.0.0.1', port: primary.mysqlPort, agent: `127.0.0.1:${primary.agentPort}` };
  const spec = parseCluster({ apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLCluster', metadata: { name: CLUSTER }, spec: { replicas: 2 } }).spec;
  try {
    let writing = true;
    const writes = (async () => {
      let n = 0;
      while (writing) await primary.query('INSERT INTO app.t (body) VALUES (?)', [`during backup ${n++}`], 'app', secrets.app);
    })();
    const physical = await runBackupJob({ action: 'take', cluster: CLUSTER, method: 'physical', storage, source, spec }, env, () => {}).finally(() => (writing = false));
    await writes;
    assert.ok(physical.ok && 'id' in physical, JSON.stringify(physical));
    assert.match(physical.gtid, /^0-1-\d+$/);
    assert.deepEqual(JSON.parse(readFileSync(env.terminationLog, 'utf8')), physical, 'the outcome is the termination message');
    const manifest = JSON.parse(readFileSync(join(claim, 'prod', physical.folder, 'manifest.json'), 'utf8'));
    assert.equal(manifest.gtid, physical.gtid);
    assert.equal(manifest.files[0].bytes, statSync(join(claim, 'prod', physical.folder, 'data.xbstream.zst')).size);

    await sleep(1100); // backup ids are whole seconds
    const logical = await runBackupJob({ action: 'take', cluster: CLUSTER, method: 'logical', databases: ['app'], storage, source, spec }, env, () => {});
    assert.ok(logical.ok && 'id' in logical, JSON.stringify(logical));
    assert.deepEqual(JSON.parse(readFileSync(join(claim, 'prod', logical.folder, 'manifest.json'), 'utf8')).databases, ['app']);
    const verified = await runBackupJob({ action: 'verify', cluster: CLUSTER, storage, id: logical.id }, env, () => {});
    assert.ok(verified.ok && 'verification' in verified && verified.verification.ok, JSON.stringify(verified));
    assert.equal(verified.verification.gtid, logical.gtid);
    assert.ok(verified.verification.tables! >= 1 && verified.verification.rows! > 0);

    const missing = await runBackupJob({ action: 'take', cluster: CLUSTER, method: 'logical', databases: ['nope'], storage, source, spec }, env, () => {});
    assert.deepEqual(missing, { ok: false, error: `spec.databases: cluster ${CLUSTER} has no database nope; it has app` });

    writeFileSync(join(secretsDir, 'agent-token'), 'a-wrong-token\n');
    await sleep(1100);
    const refused = await runBackupJob({ action: 'take', cluster: CLUSTER, method: 'physical', storage, source, spec }, env, () => {});
    assert.ok(!refused.ok && /HTTP 401 \(wrong agent token\)/.test(refused.error), JSON.stringify(refused));
    assert.ok(!refused.error.includes('a-wrong-token'));
    const folders = readdirSync(join(claim, 'prod', CLUSTER)).sort();
    assert.deepEqual(folders, [physical.id, logical.id].sort(), 'a failed backup leaves no folder');

    // A restore Job builds instance 0 of a new cluster from it: the data as of the backup's GTID.
    assert.equal((await restored.agent('init-config')).code, 0);
    const restoreEnv = { ...env, root: restored.root, scratch: join(env.scratch, 'restore') };
    const r = await runRestoreJob({ action: 'restore', cluster: CLUSTER, storage, folder: physical.folder }, restoreEnv, () => {});
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.gtid, physical.gtid);
    assert.deepEqual(r.spec, spec, 'the spec the backup recorded');
    restored.startServer();
    await waitFor('the restored instance to answer SQL', () => restored.query('SELECT 1').then(() => true, () => false));
    const [held] = await restored.query('SELECT @@gtid_binlog_pos AS b, @@gtid_slave_pos AS s, MAX(id) AS top FROM app.t');
    assert.deepEqual([held.b, held.s], [physical.gtid, physical.gtid], 'the history is exactly the backup\'s: no transaction of the restore\'s own');
    const digest = 'SELECT COUNT(*) AS n, SUM(CRC32(CONCAT(id, body))) AS crc FROM app.t WHERE id <= ?';
    assert.deepEqual(await restored.query(digest, [held.top]), await primary.query(digest, [held.top]), 'the rows equal the source\'s up to the backup');
    const again = await runRestoreJob({ action: 'restore', cluster: CLUSTER, storage, folder: physical.folder }, restoreEnv, () => {});
    assert.ok(!again.ok && /holds data already/.test(again.error), 'never over existing data');
    const noArchive = await runRestoreJob({ action: 'restore', cluster: CLUSTER, storage, folder: physical.folder, gtid: '0-1-1' }, { ...restoreEnv, root: mkdtempSync(join(tmpdir(), 'ord-empty-')) }, () => {});
    assert.ok(!noArchive.ok && /spec\.archive: .*no spec\.pitr/.test(noArchive.error), JSON.stringify(noArchive));

    const deleted = await runBackupJob({ action: 'delete', cluster: CLUSTER, storage, id: physical.id }, env, () => {});
    assert.deepEqual(deleted, { ok: true, deleted: physical.folder });
    assert.deepEqual(readdirSync(join(claim, 'prod', CLUSTER)).filter((f) => readdirSync(join(claim, 'prod', CLUSTER, f)).length), [logical.id]);
  } finally {
    writeFileSync(join(secretsDir, 'agent-token'), `${secrets['agent-token']}\n`, { mode: 0o400 });
    rmSync(claim, { recursive: true, force: true });
  }
});

test('init-data on an instance that has data does nothing', async () => {
  const before = statSync(join(datadirOf(replica), 'mysql')).ino;
  const r = await replica.agent('init-data');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /holds data: nothing to do/);
  assert.equal(statSync(join(datadirOf(replica), 'mysql')).ino, before);
  assert.equal(statSync(initFileOf(replica)).size, 0, 'no first-start SQL written again');
});

test('a restarted server does not run the first-start SQL again; agent logs hold no secret', async () => {
  const [before] = await replica.query('SELECT @@gtid_slave_pos AS p');
  await primary.query('INSERT INTO app.t (body) VALUES (?)', ['after the clone'], 'app', secrets.app);
  const [target] = await primary.query('SELECT @@gtid_binlog_pos AS p');
  await replica.query('SELECT MASTER_GTID_WAIT(?, 60)', [target.p]);
  await stopProcess(replica.mariadbdPid, 30_000);
  replica.startServer(); // the mysql container restarts alone: no init containers run
  await replica.waitReady();
  const [after] = await replica.query('SELECT @@gtid_slave_pos AS p');
  assert.notEqual(after.p, before.p, 'the position moved on');
  assert.equal(after.p, target.p, 'and was not set back to the clone position');
  for (const pod of [primary, replica]) {
    const log = readFileSync(pod.path('agent.log'), 'utf8');
    assert.ok(log.split('\n').filter(Boolean).every((l) => JSON.parse(l)), 'JSON lines');
    for (const [key, value] of Object.entries(secrets)) assert.ok(!log.includes(value), `the agent log holds the ${key} secret`);
  }
});

async function waitFor(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await ok()) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}
