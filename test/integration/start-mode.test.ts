// The pod's start gate with the real processes: `agent serve` (the sidecar) and `agent
// start-args` (what the mysql container runs before mariadbd), talking HTTP on this machine.
// No mariadbd is needed: the gate decides only which arguments it gets.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stopProcess } from '../../src/platform/local/mariadbd.js';
import { sleep } from './harness.js';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');
const AGENT_PORT = 15031;
const TOKEN = 'start-gate-test-token';
const root = mkdtempSync(join(tmpdir(), 'ord-gate-'));
const env = {
  ...process.env, ORDINAL_AGENT_ROOT: root, POD_NAME: 'gate-0', CLUSTER_NAME: 'gate', REPLICAS: '1', ORDINAL_PEERS: '',
  ORDINAL_MYSQL_PORT: '15030', ORDINAL_AGENT_PORT: String(AGENT_PORT),
};
let agent: ChildProcess;

before(async () => {
  mkdirSync(join(root, 'etc/ordinal/secrets'), { recursive: true });
  for (const k of ['operator', 'replication', 'app', 'exporter']) writeFileSync(join(root, 'etc/ordinal/secrets', k), 'x\n');
  writeFileSync(join(root, 'etc/ordinal/secrets/agent-token'), `${TOKEN}\n`);
  agent = spawn(process.execPath, ['--import', 'tsx', MAIN, 'agent', 'serve'], { cwd: ROOT, env, stdio: 'ignore' });
  for (let i = 0; i < 300; i++) {
    if (await fetch(`http://127.0.0.1:${AGENT_PORT}/healthz`).then((r) => r.ok, () => false)) return;
    await sleep(100);
  }
  throw new Error('the agent did not start');
});
after(async () => {
  if (agent.pid) await stopProcess(agent.pid, 5000);
  rmSync(root, { recursive: true, force: true });
});

function post(body: unknown, token = TOKEN): Promise<{ status: number; answered?: number }> {
  return fetch(`http://127.0.0.1:${AGENT_PORT}/start-mode`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: typeof body === 'string' ? body : JSON.stringify(body) })
    .then(async (r) => ({ status: r.status, answered: r.status === 200 ? ((await r.json()) as { answered: number }).answered : undefined }));
}

/** `agent start-args` as the mysql container runs it: arguments on stdout, its story on stderr. */
function startArgs(silenceSeconds: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'agent', 'start-args', '--silence-seconds', String(silenceSeconds)], { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((r) => child.once('close', (code) => r({ code, stdout, stderr })));
  return { done, stderr: () => stderr, exited: () => child.exitCode !== null };
}

/** Offer a mode every 200 ms (as the operator does every tick) until `until` says stop. */
async function offerUntil(mode: string, until: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!until()) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs / 1000} s while offering ${mode}`);
    await post({ mode, why: `test says ${mode}` });
    await sleep(200);
  }
}

test('a start waits while the operator holds it, then rolls the tail back when told to', async () => {
  const s = startArgs(600);
  await offerUntil('hold', () => /held by the operator: test says hold/.test(s.stderr()));
  // Still waiting after the hold: the next word finds the same start there to answer.
  const again = await post({ mode: 'hold', why: 'test says hold again' });
  assert.equal(again.answered, 1, 'held: the start still waits at the gate');
  assert.equal(s.exited(), false, 'held: mariadbd does not start');
  await offerUntil('truncate', () => s.exited());
  const r = await s.done;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '--init-rpl-role=SLAVE');
});

test('keep starts with no extra argument', async () => {
  const s = startArgs(600);
  await offerUntil('keep', () => s.exited());
  const r = await s.done;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '');
  assert.match(r.stderr, /starting mariadbd \(keep\): test says keep/);
});

test('a word given before the start began is not taken; silence starts keeping the tail', async () => {
  assert.equal((await post({ mode: 'truncate', why: 'stale' })).answered, 0, 'nobody waits: nobody answered');
  const r = await startArgs(2).done;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '', 'never truncates without a fresh word');
  assert.match(r.stderr, /no word from the operator within 2 s/);
});

test('only the operator may decide: no token, a wrong token, a bad body', async () => {
  assert.equal((await post({ mode: 'truncate' }, '')).status, 401);
  assert.equal((await post({ mode: 'truncate' }, 'wrong')).status, 401);
  assert.equal((await post('{not json')).status, 400);
  assert.equal((await post({ mode: 'drop' })).status, 400);
});
