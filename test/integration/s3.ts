// A real S3-protocol server for the tests: s3rver (npm) in its own process on loopback,
// storing objects in a folder. It checks request signatures, so the credentials must be
// right; they are its fixed test pair, passed the way users pass theirs (environment).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { sleep } from './harness.js';

const S3RVER = join(resolve(import.meta.dirname, '../..'), 'node_modules/s3rver/bin/s3rver.js');

export class S3Server {
  private child?: ChildProcess;
  /** `address` 0.0.0.0 lets pods of the e2e cluster reach it through the bridge's gateway. */
  constructor(readonly dir: string, readonly port: number, readonly bucket: string, readonly address = '127.0.0.1') {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** What a user sets for the CLI: endpoint and credentials, never arguments. */
  env(): Record<string, string> {
    return { AWS_ENDPOINT_URL: this.endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };
  }

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    this.child = spawn(process.execPath, [S3RVER, '-d', this.dir, '-a', this.address, '-p', String(this.port), '--silent', '--configure-bucket', this.bucket], { stdio: ['ignore', 'ignore', this.log()] });
    const deadline = Date.now() + 30_000;
    while (!(await listening(this.port))) {
      if (Date.now() > deadline) throw new Error(`s3rver did not listen on ${this.port}`);
      await sleep(100);
    }
  }

  /** Where s3rver's own errors go (beside its folder, which the tests remove): if it dies, this says why. */
  private log(): number {
    return openSync(`${this.dir}.s3rver.log`, 'a');
  }

  async stop(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}
