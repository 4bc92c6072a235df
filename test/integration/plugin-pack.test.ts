// The kubectl plugin as krew installs it: `npm run pack:plugin` gives a reproducible archive and
// a manifest naming its sha256; the unpacked script runs on Node alone, with its dashboard page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { dashboardSession, dashboardUrl } from './harness.js';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const OUT = join(ROOT, 'dist', 'plugin');

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

test('the archive is reproducible and the krew manifest names it', async () => {
  await exec(process.execPath, [join(ROOT, 'scripts', 'pack-plugin.mjs'), '--base-url', 'https://example.org/v1']);
  const first = sha(join(OUT, 'kubectl-ordinal.tar.gz'));
  await exec(process.execPath, [join(ROOT, 'scripts', 'pack-plugin.mjs'), '--base-url', 'https://example.org/v1']);
  assert.equal(sha(join(OUT, 'kubectl-ordinal.tar.gz')), first, 'the same sources give the same archive');
  const manifest = parse(readFileSync(join(OUT, 'ordinal.yaml'), 'utf8'));
  assert.equal(manifest.kind, 'Plugin');
  assert.equal(manifest.metadata.name, 'ordinal');
  assert.match(manifest.spec.version, /^v\d+\.\d+\.\d+$/);
  const [platform] = manifest.spec.platforms;
  assert.equal(platform.sha256, first);
  assert.equal(platform.uri, 'https://example.org/v1/kubectl-ordinal.tar.gz');
  assert.equal(platform.bin, 'kubectl-ordinal');
  const listed = (await exec('tar', ['-tzf', join(OUT, 'kubectl-ordinal.tar.gz')])).stdout.split('\n').map((l) => l.replace(/^\.\//, ''));
  assert.ok(listed.includes('kubectl-ordinal'), listed.join(' '));
  for (const f of ['web/app.js', 'web/app.css', 'web/index.html']) assert.ok(listed.includes(f), `${f} is in the archive`);
});

test('unpacked elsewhere, the plugin runs on Node alone and serves its dashboard page', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'krew-'));
  try {
    await exec('tar', ['-xzf', join(OUT, 'kubectl-ordinal.tar.gz'), '-C', dir]);
    const bin = join(dir, 'kubectl-ordinal');
    const help = await exec(bin, ['--help']);
    assert.match(help.stdout, /status .*\n(.*\n)*.*dashboard/);
    const usage = await exec(bin, ['restore', 'demo']).then(() => 0, (e: { code: number; stderr: string }) => (assert.match(e.stderr, /--as/), e.code));
    assert.equal(usage, 2);
    // A kubeconfig for an API server that is not there: the page is served all the same.
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u, namespace: db}}]\ncurrent-context: x\n');
    const dashboard = spawn(bin, ['dashboard', '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
    try {
      const url = await dashboardUrl(dashboard);
      const cookie = await dashboardSession(url);
      const origin = new URL(url).origin;
      for (const path of ['/', '/app.js', '/app.css']) assert.equal((await fetch(`${origin}${path}`, { headers: { cookie } })).status, 200, path);
      const snapshot = await (await fetch(`${origin}/api/clusters`, { headers: { cookie } })).json();
      assert.equal(snapshot.where, 'x / db');
      assert.ok(snapshot.error, 'the unreachable API server is reported on the page');
    } finally {
      dashboard.kill('SIGTERM');
    }
    assert.ok(!existsSync(join(dir, 'node_modules')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
