// Issue 7.5: a copy taken under writes can hold transactions that InnoDB had prepared but
// not committed (AFTER_SYNC semi-sync keeps every commit in that state until a replica
// acknowledges it). A clone has no binary log, so mariadbd refuses to start on such a
// copy, on every try ("Found N prepared transactions!"): the first start of the clone
// failed, and on Kubernetes its pod went into CrashLoopBackOff. This makes such a data dir
// on purpose (a commit held waiting for an acknowledgement, then SIGKILL, then the binary
// log removed as a clone has none) and checks that rollBackPrepared settles it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { installDatadir, MARIADBD, rollBackPrepared } from '../../src/mariadb/datadir.js';
import { sleep } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'ord-prepared-'));
const datadir = join(dir, 'data');
const socket = join(dir, 'mysqld.sock');
const cnf = join(dir, 'my.cnf');

function start(): { exited: Promise<number | null>; kill: () => void } {
  const child = spawn(MARIADBD, [`--defaults-file=${cnf}`], { stdio: 'ignore' });
  return { exited: new Promise((r) => child.on('exit', r)), kill: () => child.kill('SIGKILL') };
}

async function connect(deadlineMs = 30_000): Promise<mysql.Connection> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await mysql.createConnection({ socketPath: socket, user: userInfo().username === 'root' ? 'root' : userInfo().username });
    } catch (err) {
      if (Date.now() > until) throw err;
      await sleep(200);
    }
  }
}

test('a copy holding prepared transactions starts only after rollBackPrepared', async (t) => {
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(cnf, [
    '[mariadbd]', `datadir=${datadir}`, `socket=${socket}`, `pid_file=${join(dir, 'pid')}`, `log_error=${join(dir, 'error.log')}`,
    `user=${userInfo().username}`, 'skip_networking', 'server_id=1', 'log_bin=mariadb-bin', 'sync_binlog=1',
    'innodb_flush_log_at_trx_commit=1', 'innodb_buffer_pool_size=32M',
    'rpl_semi_sync_master_timeout=600000', 'rpl_semi_sync_master_wait_point=AFTER_SYNC', '',
  ].join('\n'));
  await installDatadir(datadir, userInfo().username);

  const first = start();
  const c = await connect();
  await c.query('CREATE DATABASE test');
  await c.query('CREATE TABLE test.t (id INT PRIMARY KEY) ENGINE=InnoDB');
  // From now on every commit waits for a replica's acknowledgement, and there is none.
  await c.query('SET GLOBAL rpl_semi_sync_master_enabled = ON');
  const held = c.query('INSERT INTO test.t VALUES (1)').catch(() => 'killed'); // waits for an ack forever
  const watcher = await connect();
  for (let i = 0; i < 100; i++) {
    const [rows] = await watcher.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE STATE LIKE '%semi-sync%'");
    if (Number((rows as any[])[0].n) > 0) break;
    await sleep(100);
  }
  first.kill();
  await first.exited;
  await held;
  watcher.destroy();
  // A clone has no binary log.
  for (const f of readdirSync(datadir).filter((f) => f.startsWith('mariadb-bin'))) rmSync(join(datadir, f));

  const refused = start();
  assert.notEqual(await refused.exited, 0, 'the server refuses a copy with prepared transactions');
  assert.match(readFileSync(join(dir, 'error.log'), 'utf8'), /Found \d+ prepared transaction/);

  await rollBackPrepared(cnf, dir);
  const settled = start();
  const s = await connect();
  const [rows] = await s.query('SELECT COUNT(*) AS n FROM test.t');
  assert.equal(Number((rows as any[])[0].n), 0, 'the never-acknowledged row was rolled back');
  s.destroy();
  settled.kill();
  await settled.exited;
});
