// The dashboard in a real browser (Debian's chromium, driven by playwright-core) over a real
// sandbox cluster: the page shows the right topology, follows a failover without a reload,
// switches over by drag and drop, refuses an errant target with its reason, takes a backup,
// rebuilds an instance, and never asks anything of a host but 127.0.0.1. With
// ORDINAL_SCREENSHOTS=1 it writes the screenshots shown in README.md and docs/ (otherwise into
// the sandbox's folder, so that a test run leaves the checkout as it was).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { dashboardUrl, Sandbox, useCluster } from './harness.js';
import { Writers } from './writers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const sb = new Sandbox('dash', 16300, {
  backupSchedule: { schedule: '0 0 1 1 *', location: '', method: 'logical', keep: 3 },
});
(sb.extraSpec.backupSchedule as { location: string }).location = `file://${join(sb.home, 'backups')}`;
useCluster(sb, 3, Writers.prepare);
const SHOTS = process.env.ORDINAL_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : join(sb.home, 'screenshots');

/** Debian's chromium: the binary itself (its /usr/bin wrapper is a shell script). */
export function chromiumPath(): string {
  for (const p of ['/usr/lib/chromium/chromium', '/usr/bin/chromium']) if (existsSync(p)) return p;
  throw new Error('chromium is not installed (apt-get install chromium; scripts/setup.sh does it)');
}

let dashboard: ChildProcess;
let url: string;
let browser: Browser;
let page: Page;
const requests: string[] = [];
let writers: Writers;

before(async () => {
  dashboard = spawn(process.execPath, [join(ROOT, 'bin/ordinal.js'), 'local', 'dashboard'], { env: { ...process.env, ORDINAL_HOME: sb.home }, stdio: ['ignore', 'pipe', 'pipe'] });
  url = await dashboardUrl(dashboard);
  // Any name but 127.0.0.1 fails to resolve: a CDN or font request would fail and be counted.
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('request', (r) => requests.push(r.url()));
  mkdirSync(SHOTS, { recursive: true });
  writers = new Writers(sb, 1).start();
});

after(async () => {
  await writers?.stop();
  await browser?.close();
  dashboard?.kill('SIGTERM');
});

const primaryText = () => page.getByTestId('primary').textContent();

async function waitForPrimary(ordinal: number): Promise<void> {
  await page.getByTestId('primary').filter({ hasText: `primary ${ordinal}` }).waitFor({ timeout: 90_000 });
}

test('the one-time URL opens a session once; without it nothing is served', async () => {
  const origin = new URL(url).origin;
  const anonymous = await fetch(`${origin}/api/clusters`);
  assert.equal(anonymous.status, 403);
  await page.goto(url);
  assert.equal(new URL(page.url()).search, '', 'the token leaves the address bar');
  const again = await fetch(url, { redirect: 'manual' });
  assert.equal(again.status, 403, 'the token works once');
  const rebound = await fetch(`${origin}/api/clusters`, { headers: { host: `evil.example:${new URL(url).port}` } });
  assert.equal(rebound.status, 403, 'a Host that is not 127.0.0.1 is refused');
});

test('all clusters, then one: the right primary above its replicas', async () => {
  const s = await sb.waitFor('healthy', sb.healthy(3));
  const row = page.locator('tr[data-cluster="dash"]');
  await row.waitFor();
  assert.equal((await row.locator('.primary-cell').textContent())?.trim(), String(s.primary));
  await page.screenshot({ path: join(SHOTS, 'clusters.png') });
  await row.getByRole('link', { name: 'dash' }).click();
  await waitForPrimary(s.primary!);
  for (const i of s.instances) {
    const card = page.getByTestId(`instance-${i.ordinal}`);
    assert.equal(await card.getAttribute('data-role'), i.role);
  }
  const slot = page.getByTestId('primary-slot');
  assert.equal(await slot.getByTestId(`instance-${s.primary}`).count(), 1, 'the primary sits in the primary slot');
  await page.evaluate(() => ((window as unknown as { loadedOnce: boolean }).loadedOnce = true));
});

test('dragging a replica onto the primary switches over after a confirmation', async () => {
  const s = await sb.status();
  const to = s.instances.find((i) => i.role === 'replica' && i.ready)!.ordinal;
  await page.getByTestId(`instance-${to}`).dragTo(page.getByTestId('primary-slot'));
  const dialog = page.getByTestId('dialog');
  await dialog.waitFor();
  assert.match(await dialog.textContent() ?? '', new RegExp(`Switch over to instance ${to}\\?`));
  await dialog.getByRole('button', { name: 'Switch over' }).click();
  const after = await sb.waitFor(`instance ${to} primary`, (x) => x.primary === to && x.switchovers === s.switchovers + 1, 120_000);
  assert.equal(after.failovers, s.failovers);
  await waitForPrimary(to);
  await page.locator('li[data-reason="SwitchedOver"] .step').first().waitFor();
  assert.match(await page.locator('li[data-reason="SwitchedOver"] .step').first().textContent() ?? '', /switchover step \d+, \+\d+\.\d s, done/);
});

test('an errant replica is marked, and refused as a target with the reason before anything happens', async () => {
  const s = await sb.waitFor('healthy', sb.healthy(3));
  const victim = s.instances.find((i) => i.role === 'replica')!.ordinal;
  await sb.instanceQuery(victim, 'SET GLOBAL read_only = OFF');
  await sb.instanceQuery(victim, 'INSERT INTO app.writes (writer, seq) VALUES (7777, 1)');
  await sb.instanceQuery(victim, 'SET GLOBAL read_only = ON').catch(() => {});
  await sb.waitFor('the errant replica quarantined', (x) => x.instances.find((i) => i.ordinal === victim)?.errant === true, 30_000);
  await page.getByTestId(`instance-${victim}`).locator('.badge', { hasText: 'ERRANT' }).waitFor({ timeout: 30_000 });
  await page.getByTestId(`instance-${victim}`).dragTo(page.getByTestId('primary-slot'));
  const dialog = page.getByTestId('dialog');
  await dialog.waitFor();
  assert.match(await dialog.textContent() ?? '', /Switchover refused/);
  assert.match(await page.getByTestId('dialog-body').textContent() ?? '', /errant/);
  assert.equal(await dialog.getByRole('button', { name: 'Switch over' }).count(), 0, 'nothing to confirm');
  await dialog.getByRole('button', { name: 'Close' }).click();
  const now = await sb.status();
  assert.equal(now.primary, s.primary);
  assert.equal(now.switchovers, s.switchovers);

  // Rebuild it from the page: after a fresh copy it is a healthy replica again.
  await page.getByTestId(`instance-${victim}`).getByRole('button', { name: 'Rebuild' }).click();
  await page.getByTestId('dialog').getByRole('button', { name: 'Rebuild' }).click();
  await sb.waitFor('the rebuilt replica healthy', (x) => sb.healthy(3)(x) && !x.instances.some((i) => i.errant), 180_000);
});

test('back up now; a restore under a name in use is refused with the reason', async () => {
  await page.getByRole('button', { name: 'Back up now' }).click();
  await page.getByTestId('dialog').getByRole('button', { name: 'Back up' }).click();
  await page.locator('[data-testid=action].done', { hasText: /backup \S+ done/ }).waitFor({ timeout: 180_000 });
  await page.locator('.backups table tbody tr').first().waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(SHOTS, 'cluster.png'), fullPage: true });

  await page.getByRole('button', { name: 'Restore newest…' }).click();
  await page.getByTestId('dialog').locator('input[name=as]').fill('dash');
  await page.getByTestId('dialog').getByRole('button', { name: 'Restore' }).click();
  assert.match(await page.getByTestId('dialog-error').textContent({ timeout: 30_000 }) ?? '', /exists/);
  await page.getByTestId('dialog').getByRole('button', { name: 'Cancel' }).click();
});

test('killing the primary: the page shows the new primary and the failover steps without a reload', async () => {
  const s = await sb.waitFor('healthy', sb.healthy(3));
  const old = await sb.primary();
  process.kill(old.pid, 'SIGKILL');
  const after = await sb.waitFor('a new primary', (x) => x.primary !== null && x.primary !== old.ordinal && x.failovers === s.failovers + 1, 120_000);
  await waitForPrimary(after.primary!);
  assert.equal(await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce), true, 'the same page, not reloaded');
  await page.locator('li[data-reason="FailedOver"] .step', { hasText: /failover step \d+, \+\d+\.\d s, done/ }).first().waitFor();
  assert.match(await primaryText() ?? '', new RegExp(`primary ${after.primary}`));
  await page.screenshot({ path: join(SHOTS, 'failover.png'), fullPage: true });
});

test('no request left 127.0.0.1', () => {
  const origin = new URL(url).origin;
  assert.ok(requests.length > 3, 'requests were recorded');
  assert.deepEqual(requests.filter((r) => new URL(r).origin !== origin), []);
});
