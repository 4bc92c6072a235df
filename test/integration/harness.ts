// Drives a real sandbox cluster through the built CLI (bin/ordinal.js), the way a user
// does, and talks to its real mariadbd processes. Each test file gets its own
// ORDINAL_HOME and port block, and tears everything down at the end.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before } from 'node:test';
import mysql from 'mysql2/promise';
import type { LocalStatus } from '../../src/platform/local/status.js';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin/ordinal.js');

import { sleep } from '../wait.js';

export { sleep };

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Sandbox {
  readonly home = mkdtempSync(join(tmpdir(), 'ord-'));
  readonly specFile = join(this.home, 'cluster.yaml');

  constructor(readonly name: string, readonly basePort: number, readonly extraSpec: Record<string, unknown> = {}, readonly env: Record<string, string> = {}) {}

  spec(replicas: number, extra: Record<string, unknown> = this.extraSpec): string {
    const spec = { replicas, local: { basePort: this.basePort }, ...extra };
    return JSON.stringify({ apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLCluster', metadata: { name: this.name }, spec }, null, 2);
  }

  async cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    try {
      const r = await exec(process.execPath, [CLI, ...args], {
        env: { ...process.env, ORDINAL_HOME: this.home, ...this.env, ...env },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 600_000,
      });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  async up(replicas = 3, env: Record<string, string> = {}): Promise<CliResult> {
    writeFileSync(this.specFile, this.spec(replicas));
    const r = await this.cli(['local', 'up', '-f', this.specFile, '--timeout', '180'], env);
    if (r.code !== 0) throw new Error(`up failed (${r.code}): ${r.stderr}\n${r.stdout}\n${this.supervisorLogTail()}\n${this.errorLogTails()}`);
    return r;
  }

  async status(): Promise<LocalStatus> {
    const r = await this.cli(['local', 'status', this.name, '-o', 'json']);
    if (r.code !== 0) throw new Error(`status failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as LocalStatus;
  }

  /** Background clients (writers, watchers) stopped before teardown, even after a failure. */
  readonly background = new Set<{ stop(): Promise<unknown> }>();

  async down(purge = true): Promise<void> {
    await Promise.all([...this.background].map((b) => b.stop()));
    await this.cli(['local', 'down', this.name, ...(purge ? ['--purge'] : [])]);
    rmSync(this.home, { recursive: true, force: true });
  }

  supervisorLogTail(n = 30): string {
    try {
      return readFileSync(join(this.home, 'clusters', this.name, 'supervisor.log'), 'utf8').trim().split('\n').slice(-n).join('\n');
    } catch {
      return '';
    }
  }

  /** One instance's whole MariaDB error log ('' before it has one). */
  errorLog(ordinal: number): string {
    try {
      return readFileSync(join(this.home, 'clusters', this.name, 'instances', String(ordinal), 'error.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /**
   * The end of every instance's MariaDB error log, for failure messages, after its last errors:
   * a crashed server's tail is its stack trace, and why it crashed is above it.
   */
  errorLogTails(n = 15): string {
    const dir = join(this.home, 'clusters', this.name, 'instances');
    let out = '';
    for (let o = 0; o < 9; o++) {
      try {
        const lines = readFileSync(join(dir, String(o), 'error.log'), 'utf8').trim().split('\n');
        const errors = lines.filter((l) => /\[ERROR\]|Assertion|got signal/.test(l)).slice(-8);
        out += `--- instance ${o} error.log ---\n${errors.length ? `(last errors)\n${errors.join('\n')}\n(end)\n` : ''}${lines.slice(-n).join('\n')}\n`;
      } catch {
        /* no such instance */
      }
    }
    return out;
  }

  password(which: 'app' | 'operator'): string {
    return readFileSync(join(this.home, 'clusters', this.name, 'secrets', which), 'utf8').trim();
  }

  get readWritePort(): number {
    return this.basePort + 10;
  }

  get readOnlyPort(): number {
    return this.basePort + 11;
  }

  /** The app account through an endpoint (read-write by default). */
  app(port = this.readWritePort): Promise<mysql.Connection> {
    return mysql.createConnection({ host: '127.0.0.1', port, user: 'app', password: this.password('app'), database: 'app', connectTimeout: 3000 });
  }

  instanceConnection(ordinal: number): Promise<mysql.Connection> {
    return mysql.createConnection({ host: '127.0.0.1', port: this.basePort + ordinal, user: 'ordinal', password: this.password('operator'), connectTimeout: 2000 });
  }

  /** The operator account straight to one instance, bypassing the endpoints. */
  async instanceQuery<T = any>(ordinal: number, sql: string, params: unknown[] = [], timeoutMs = 5000): Promise<T[]> {
    const c = await this.instanceConnection(ordinal);
    try {
      const [rows] = await c.query({ sql, values: params, timeout: timeoutMs });
      return rows as T[];
    } finally {
      c.destroy();
    }
  }

  async primary(): Promise<{ ordinal: number; pid: number }> {
    const s = await this.status();
    const p = s.instances.find((i) => i.ordinal === s.primary);
    if (!p?.pid) throw new Error(`no running primary: ${JSON.stringify(s)}`);
    return { ordinal: p.ordinal, pid: p.pid };
  }

  /** Poll status until `ok` holds; fail with the last status after `timeoutMs`. */
  async waitFor(what: string, ok: (s: LocalStatus) => boolean, timeoutMs = 60_000): Promise<LocalStatus> {
    const deadline = Date.now() + timeoutMs;
    let last: LocalStatus | undefined;
    while (Date.now() < deadline) {
      try {
        last = await this.status();
        if (ok(last)) return last;
      } catch {
        /* supervisor restarting */
      }
      await sleep(250);
    }
    throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last, null, 1)}\n${this.supervisorLogTail()}`);
  }

  healthy(replicas = 3) {
    return (s: LocalStatus) => s.phase === 'Running' && s.instances.length === replicas && s.instances.every((i) => i.ready);
  }
}

export function supervisorPidOf(sb: Sandbox): number | undefined {
  try {
    const n = Number(readFileSync(join(sb.home, 'clusters', sb.name, 'supervisor.pid'), 'utf8'));
    return n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Register before/after hooks: bring the cluster up (with the writes table), tear it down. */
export function useCluster(sb: Sandbox, replicas = 3, prepare?: (sb: Sandbox) => Promise<void>): Sandbox {
  before(async () => {
    await sb.up(replicas);
    await prepare?.(sb);
  });
  after(async () => sb.down());
  return sb;
}

/** The one-time URL a dashboard command prints; fails with its output if it exits first. */
export function dashboardUrl(child: ChildProcess): Promise<string> {
  return new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out);
      if (m) ok(m[0]);
    });
    child.stderr!.on('data', (d) => (out += d));
    child.on('exit', (code) => fail(new Error(`the dashboard exited (${code}): ${out}`)));
  });
}

/** Opens a session with the one-time URL, as a browser would; the cookie to send. */
export async function dashboardSession(url: string): Promise<string> {
  const login = await fetch(url, { redirect: 'manual' });
  if (login.status !== 303) throw new Error(`the one-time URL answered ${login.status}`);
  return String(login.headers.get('set-cookie')).split(';')[0];
}

export { spawn };
