// The alert rules (deploy/prometheus, from src/builders/alerts.ts): Prometheus' own promtool
// checks them and runs their unit tests (rules.test.yaml), and every alert has a test there.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { ALERTS, prometheusRule } from '../../src/builders/alerts.js';

const exec = promisify(execFile);
const dir = resolve(import.meta.dirname, '../../deploy/prometheus');

async function promtool(args: string[]): Promise<string> {
  try {
    const r = await exec('promtool', args, { cwd: dir });
    return r.stdout + r.stderr;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('promtool is not installed: it comes with Debian\'s prometheus package (scripts/setup.sh installs it)');
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

test('promtool accepts the rules file', async () => {
  assert.match(await promtool(['check', 'rules', 'rules.yaml']), new RegExp(`SUCCESS: ${ALERTS.length} rules found`));
});

test('every alert fires when it should and stays quiet when not (promtool test rules)', async () => {
  assert.match(await promtool(['test', 'rules', 'rules.test.yaml']), /SUCCESS/);
  const tested = new Set((parse(readFileSync(join(dir, 'rules.test.yaml'), 'utf8')) as { tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }> }).tests
    .flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
  for (const a of ALERTS) assert.ok(tested.has(a.alert), `${a.alert} has no test in which it fires`);
});

test('the PrometheusRule carries the same rules', () => {
  const rule = prometheusRule('ordinal-system');
  assert.equal(rule.kind, 'PrometheusRule');
  assert.deepEqual(rule.spec.groups[0].rules.map((r) => r.alert), ALERTS.map((a) => a.alert));
  for (const a of ALERTS) assert.ok(['critical', 'warning', 'info'].includes(a.labels.severity) && a.annotations.summary && a.annotations.description, a.alert);
});
