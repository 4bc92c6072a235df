// The mysql container's PID 1 script (builders/statefulset.ts START_MYSQL) with stand-ins for
// `node` (the start gate: prints mariadbd's arguments) and `mariadbd` (records the arguments
// and any SIGTERM it gets), both on PATH. The real pod runs it in test/e2e.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { START_MYSQL } from '../../src/builders/statefulset.js';
import { sleep } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'ord-start-mysql-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const script = START_MYSQL.replaceAll('/run/mysqld/', `${dir}/`);

function stub(name: string, body: string): void {
  writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(dir, name), 0o755);
}
// The gate answers after GATE_SECONDS; the server records its arguments and a SIGTERM, then idles.
stub('node', 'sleep "${GATE_SECONDS:-0}"; echo --init-rpl-role=SLAVE');
stub('mariadbd', `trap 'echo TERM > ${dir}/got-term; exit 0' TERM\necho "$@" > ${dir}/args\nwhile :; do sleep 0.1; done`);

function run(env: Record<string, string> = {}) {
  const child = spawn('sh', ['-c', script], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, ...env }, stdio: 'ignore' });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited };
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !ok(); i++) await sleep(100);
  assert.ok(ok(), `timed out waiting for ${what}`);
}

test('the server starts with what the gate printed, and SIGTERM kills it (SIGKILL), never a clean shutdown', async () => {
  const { child, exited } = run();
  await until('the server to start', () => existsSync(join(dir, 'args')));
  assert.equal(readFileSync(join(dir, 'args'), 'utf8').trim(), `--defaults-file=/etc/ordinal/mysql/my.cnf --init-rpl-role=SLAVE`);
  child.kill('SIGTERM');
  assert.equal(await exited, 137, 'the container ends as its server was killed');
  assert.equal(existsSync(join(dir, 'got-term')), false, 'the server never saw SIGTERM');
});

test('SIGTERM while waiting for the start mode ends the wait at once', async () => {
  rmSync(join(dir, 'args'), { force: true });
  const { child, exited } = run({ GATE_SECONDS: '600' });
  await sleep(500);
  child.kill('SIGTERM');
  assert.equal(await exited, 143);
  assert.equal(existsSync(join(dir, 'args')), false, 'no server was started');
});
