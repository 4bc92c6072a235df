// Debian's prometheus, started for a test with a given configuration on a free port of
// 127.0.0.1, and its HTTP API. Used by the sandbox's and the test cluster's monitoring tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { DASHBOARDS } from '../../src/builders/dashboards.js';
import { waitFor } from '../wait.js';

export const RULES = resolve(import.meta.dirname, '../../deploy/prometheus/rules.yaml');

/** The alert rules of deploy/prometheus. */
export function alertRules(): Array<{ alert: string; expr: string }> {
  return (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }).groups.flatMap((g) => g.rules);
}

/** The series an expression reads (Ordinal's and mysqld-exporter's). */
export const seriesRead = (expr: string) => [...new Set(expr.match(/\b(ordinal|mysql)_[a-z_]+\b/g) ?? [])];

async function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => r(port));
    });
  });
}

export class Prometheus {
  private process?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'ordinal-prometheus-'));
  url = '';

  /** Starts it with the scrape configs given, the alert rules loaded, scraping every second. */
  async start(scrapeConfigs: unknown[]): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    writeFileSync(join(this.dir, 'prometheus.yml'), stringify({ global: { scrape_interval: '1s', evaluation_interval: '1s' }, rule_files: [RULES], scrape_configs: scrapeConfigs }));
    this.process = spawn('prometheus', [`--config.file=${join(this.dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(this.dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    this.process.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    this.process.on('error', (err) => (log += `\n${err.message}: Debian's prometheus package is needed (scripts/setup.sh installs it)`));
    await waitFor('Prometheus to answer', async () => ((await fetch(`${this.url}/-/ready`).catch(() => undefined))?.ok ? true : undefined), 60_000).catch((err) => {
      throw new Error(`${err.message}\n${log}`);
    });
  }

  stop(): void {
    this.process?.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }

  async api<T = any>(path: string): Promise<T> {
    const res = await fetch(`${this.url}${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
    return body.data;
  }

  query(q: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    return this.api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(`/api/v1/query?query=${encodeURIComponent(q)}`).then((d) => d.result);
  }

  /** Every rule evaluated at least once; their health. */
  async rulesEvaluated(): Promise<Array<{ name: string; health: string; lastError?: string }>> {
    return waitFor('every rule evaluated', async () => {
      const groups = (await this.api<{ groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string; lastEvaluation: string }> }> }>('/api/v1/rules')).groups;
      const all = groups.flatMap((g) => g.rules);
      return all.length > 0 && all.every((r) => !r.lastEvaluation.startsWith('0001')) ? all : undefined;
    }, 120_000);
  }
}

/**
 * The dashboards' and the rules' reach over one cluster: the series they read that Prometheus
 * does not hold for it (`missing`), and the panels that returned nothing although every series
 * they read is there (`empty`; panels of rates and of operations are left out, they wait on
 * events). Every expression is evaluated, so a malformed one fails here.
 */
export async function coverage(p: Prometheus, o: { namespace: string; cluster: string; expected: (series: string) => boolean }): Promise<{ missing: string[]; empty: string[] }> {
  const rules = alertRules();
  const all = new Set([...rules.flatMap((r) => seriesRead(r.expr)), ...DASHBOARDS.flatMap((d) => d.panels.flatMap((x) => seriesRead(x.expr)))]);
  // Operation series exist only during an operation or after one ended.
  const wanted = [...all].filter((n) => o.expected(n) && !n.includes('operation'));
  const selector = (n: string) => (n.startsWith('mysql_') ? `{namespace="${o.namespace}",pod=~"${o.cluster}-[0-9]+"}` : `{namespace="${o.namespace}",cluster="${o.cluster}"}`);
  const present = new Set<string>();
  for (const n of wanted) {
    if (await waitFor(`${n} for ${o.namespace}/${o.cluster}`, async () => ((await p.query(`${n}${selector(n)}`)).length ? true : undefined), 30_000).catch(() => false)) present.add(n);
  }
  for (const r of rules) await p.query(r.expr);
  const empty: string[] = [];
  for (const d of DASHBOARDS) {
    for (const x of d.panels) {
      const expr = x.expr.replaceAll('$namespace', o.namespace).replaceAll('$cluster', o.cluster);
      const result = await p.query(expr);
      if (!result.length && seriesRead(x.expr).every((m) => present.has(m)) && !/increase|rate|operation/.test(x.expr)) empty.push(`${d.uid} "${x.title}": ${expr}`);
    }
  }
  return { missing: wanted.filter((n) => !present.has(n)), empty };
}
