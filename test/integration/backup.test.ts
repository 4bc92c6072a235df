// Backups and restores in the sandbox, against real tools and a real S3-protocol server:
// physical to S3 and logical to a folder, both under writes; each restored cluster holds
// exactly the writes at or below its GTID position. A killed backup lists nothing, a down
// endpoint is a clear error, bad arguments create nothing, and no credential leaks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox, sleep, spawn, useCluster } from './harness.js';
import { S3Server } from './s3.js';
import { seqOf, StampedWriters } from './stamped.js';

const source = new Sandbox('backup', 15500);
/** Restored clusters live in the source's home: torn down first (after hooks run in order). */
const restored: string[] = [];
after(async () => {
  for (const name of restored) await source.cli(['local', 'down', name, '--purge']);
});
const sb = useCluster(source, 2, async (sb) => {
  await StampedWriters.prepare(sb);
  const c = await sb.app();
  await c.query('CREATE TABLE bulk (id INT AUTO_INCREMENT PRIMARY KEY, body LONGBLOB) ENGINE=InnoDB');
  // About 100 MB, so that a backup takes long enough to be killed midway.
  for (let i = 0; i < 25; i++) await c.query(`INSERT INTO bulk (body) VALUES (REPEAT(MD5(RAND()), ${(4 * 1024 * 1024) / 32}))`);
  c.destroy();
});
const s3 = new S3Server(join(sb.home, 's3'), 15520, 'ordinal-test');
const folder = `file://${join(sb.home, 'backups')}`;
const bucket = 's3://ordinal-test/team/prod';
before(() => s3.start());
after(() => s3.stop());

/** The CLI with the S3 endpoint and credentials in its environment, as a user runs it. */
const cli = (args: string[]) => sb.cli(args, s3.env());


async function restoreAndCheck(from: string, id: string, as: string, writers: StampedWriters, manifestGtid: string): Promise<void> {
  const r = await cli(['local', 'restore', '--from', from, '--backup', id, '--as', as, '--timeout', '300']);
  restored.push(as);
  assert.equal(r.code, 0, `restore failed: ${r.stderr}\n${r.stdout}`);
  const status = JSON.parse((await sb.cli(['local', 'status', as, '-o', 'json'])).stdout);
  assert.equal(status.phase, 'Running');
  assert.equal(status.instances.length, 2, 'both instances');
  assert.ok(status.instances.every((i: { ready: boolean }) => i.ready), 'every instance ready');
  const port = Number(status.endpoints.readWrite.split(':')[1]);
  const password = readFileSync(status.credentials.passwordFile, 'utf8').trim();
  const mysql = (await import('mysql2/promise')).default;
  const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'app', password, database: 'app' });
  try {
    const [[pos]] = (await c.query('SELECT @@gtid_binlog_pos AS p')) as any;
    const at = seqOf(String(pos.p));
    assert.ok(at >= seqOf(manifestGtid), `the restored position ${pos.p} is not behind the manifest's ${manifestGtid}`);
    const [rows] = (await c.query('SELECT writer, seq FROM stamped')) as any;
    const present = new Set((rows as Array<{ writer: number; seq: number }>).map((x) => `${x.writer}:${x.seq}`));
    const expected = writers.expectedAt(at);
    const missing = [...expected].filter((k) => !present.has(k));
    const extra = [...present].filter((k) => !expected.has(k));
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `restored at ${pos.p}: ${expected.size} writes expected, ${present.size} present`);
    assert.ok(expected.size > 0, 'the backup caught some of the writes');
    const [[bulk]] = (await c.query('SELECT COUNT(*) AS n FROM bulk')) as any;
    assert.equal(Number(bulk.n), 25);
    // The new cluster writes on from the backup's history, with its own passwords.
    await c.query('INSERT INTO stamped (writer, seq, body) VALUES (99, 1, "after the restore")');
  } finally {
    c.destroy();
  }
}

test('physical to S3 and logical to a folder under writes; restores hold exactly the writes up to their GTID', async () => {
  const writers = new StampedWriters(sb, 2).start();
  await sleep(1000);
  const physical = await cli(['local', 'backup', sb.name, '--to', bucket, '-o', 'json']);
  assert.equal(physical.code, 0, `physical backup failed: ${physical.stderr}`);
  const logical = await cli(['local', 'backup', sb.name, '--to', folder, '--method', 'logical', '--databases', 'app', '-o', 'json']);
  assert.equal(logical.code, 0, `logical backup failed: ${logical.stderr}`);
  await sleep(500);
  await writers.stop();
  assert.equal(writers.errors, 0, 'no write failed');

  const p = JSON.parse(physical.stdout);
  const l = JSON.parse(logical.stdout);
  assert.equal(p.method, 'physical');
  assert.equal(p.source.role, 'replica', 'taken from a replica by default');
  assert.match(p.gtid, /^0-1-\d+$/);
  assert.match(p.files[0].sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(l.databases, ['app']);
  assert.match(l.gtid, /^0-1-\d+$/);

  const listed = JSON.parse((await cli(['local', 'backups', '--from', bucket, '-o', 'json'])).stdout);
  assert.deepEqual(listed.backups.map((m: { id: string }) => m.id), [p.id]);
  // The files are where the listing says, with the sizes the manifest says.
  const objects = readdirSync(join(s3.dir, 'ordinal-test', 'team', 'prod', sb.name, p.id));
  assert.ok(objects.some((f) => f.startsWith('data.xbstream.zst')), `stored: ${objects.join(', ')}`);

  await restoreAndCheck(bucket, `${sb.name}/${p.id}`, 'frombucket', writers, p.gtid);
  await restoreAndCheck(folder, p.id === l.id ? `${sb.name}/${l.id}` : l.id, 'fromfolder', writers, l.gtid);
});

test('verify proves a backup restorable, and finds a damaged one', async () => {
  const good = await cli(['local', 'verify', '--from', bucket, '-o', 'json']);
  assert.equal(good.code, 0, good.stderr);
  const v = JSON.parse(good.stdout);
  assert.equal(v.ok, true);
  assert.equal(v.rows['app.bulk'], 25);
  assert.ok(v.rows['app.stamped'] > 0);

  // One flipped byte in the logical backup's stored file.
  const listed = JSON.parse((await cli(['local', 'backups', '--from', folder, '-o', 'json'])).stdout);
  const m = listed.backups[0];
  const file = join(sb.home, 'backups', m.cluster, m.id, m.files[0].name);
  const bytes = readFileSync(file);
  bytes[Math.floor(bytes.length / 2)] ^= 0xff;
  writeFileSync(file, bytes);
  const bad = await cli(['local', 'verify', '--from', folder, '--backup', `${m.cluster}/${m.id}`]);
  assert.equal(bad.code, 3, bad.stderr);
  assert.match(bad.stderr, /could NOT be restored: .*(is damaged|zstd)/);
  const after = JSON.parse((await cli(['local', 'backups', '--from', folder, '-o', 'json'])).stdout);
  assert.equal(after.backups[0].verification.ok, false, 'the listing shows the failed verification');
  const again = JSON.parse((await cli(['local', 'backups', '--from', bucket, '-o', 'json'])).stdout);
  assert.equal(again.backups[0].verification.ok, true);
});

test('a backup killed midway lists nothing, and the next one runs', async () => {
  const before = JSON.parse((await cli(['local', 'backups', '--from', bucket, '-o', 'json'])).stdout).backups.length;
  // The CLI process itself is killed, with its tools: nothing can clean up after it.
  const child = spawn(process.execPath, [join(import.meta.dirname, '../../bin/ordinal.js'), 'local', 'backup', sb.name, '--to', bucket], {
    env: { ...process.env, ORDINAL_HOME: sb.home, ...s3.env() },
    stdio: 'ignore',
  });
  await waitForProcess(`mariadb-backup`, sb.home, 60_000);
  await sleep(300);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  await sleep(1000);
  const after = JSON.parse((await cli(['local', 'backups', '--from', bucket, '-o', 'json'])).stdout);
  assert.equal(after.backups.length, before, 'the killed backup is not listed');
  assert.deepEqual(after.unreadable, []);

  // A tool killed midway: the backup fails with why, and removes what it wrote.
  const run = cli(['local', 'backup', sb.name, '--to', folder]);
  const tool = await waitForProcess('mariadb-backup', sb.home, 60_000);
  await sleep(300);
  process.kill(tool, 'SIGKILL');
  const r = await run;
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /mariadb-backup was killed by SIGKILL/);
  const listedFolder = JSON.parse((await cli(['local', 'backups', '--from', folder, '-o', 'json'])).stdout);
  assert.equal(listedFolder.backups.length, 1, 'only the earlier logical backup');
  assert.deepEqual(readdirSync(join(sb.home, 'backups', sb.name)).length, 1, 'the failed backup removed its folder');

  // The lock of the killed CLI is taken over: the next backup runs.
  const next = await cli(['local', 'backup', sb.name, '--to', bucket]);
  assert.equal(next.code, 0, next.stderr);
});

test('an S3 endpoint that is down is a clear error', async () => {
  await s3.stop();
  try {
    const r = await cli(['local', 'backup', sb.name, '--to', bucket]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /s3:\/\/ordinal-test\/team\/prod at http:\/\/127\.0\.0\.1:15520: .*failed: the S3 endpoint refused the connection/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    await s3.start();
  }
});

test('bad arguments are refused, naming them, and create nothing', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['local', 'restore', '--from', folder, '--as', sb.name], /--as: a cluster named "backup" exists/],
    [['local', 'restore', '--from', folder, '--as', 'nope', '--backup', 'nothing'], /--backup: there is no backup nothing; there are: backup\//],
    [['local', 'restore', '--from', 'file:///no/such/dir', '--as', 'nope'], /--from: there are no backups/],
    [['local', 'backup', sb.name, '--to', '/tmp/x'], /--to: "\/tmp\/x" is not a location/],
    [['local', 'backup', sb.name, '--to', folder, '--databases', 'app'], /--databases: only a logical backup/],
    [['local', 'backup', sb.name, '--to', folder, '--method', 'logical', '--databases', 'nosuch'], /--databases: cluster backup has no database nosuch/],
    [['local', 'backup', sb.name, '--to', folder, '--method', 'snapshot'], /--method: "snapshot" must be physical or logical/],
  ];
  for (const [args, want] of cases) {
    const r = await cli(args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, want, args.join(' '));
  }
  assert.equal(existsSync(join(sb.home, 'clusters', 'nope')), false, 'no cluster was begun');
});

test('the S3 secret appears in no output, log or process argument', async () => {
  const secret = 'S3RVER';
  const seen: string[] = [];
  const watch = setInterval(() => {
    for (const pid of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmd.includes(sb.home) && cmd.includes(secret)) seen.push(cmd.replace(/\0/g, ' '));
      } catch {
        /* gone */
      }
    }
  }, 50);
  const r = await cli(['local', 'backup', sb.name, '--to', bucket]);
  clearInterval(watch);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(seen, []);
  assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret));
  assert.ok(!sb.supervisorLogTail(10_000).includes(secret));
});

async function waitForProcess(name: string, home: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        if (argv[0].endsWith(name) && argv.includes('--backup') && argv.some((a) => a.includes(home))) return Number(pid);
      } catch {
        /* gone */
      }
    }
    await sleep(20);
  }
  throw new Error(`no ${name} process appeared`);
}
