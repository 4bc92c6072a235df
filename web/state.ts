// The page's state: the server's latest snapshot (pushed over server-sent events), the route,
// the open dialog, and the short history the live charts draw.
import { signal } from '@preact/signals';
import type { ActionRecord, Snapshot } from '../src/dashboard/model.js';

export const snapshot = signal<Snapshot | undefined>(undefined);
export const connected = signal(false);
export const route = signal(location.hash);
addEventListener('hashchange', () => (route.value = location.hash));

export interface Dialog {
  title: string;
  /** What will happen, or why it will not. */
  body: string;
  /** Absent: a refusal, with only a Close button. */
  confirm?: { label: string; run: () => Promise<void> };
  /** Inputs the action needs (restore: the new name, a point in time). */
  fields?: Array<{ name: string; label: string; placeholder?: string }>;
  values?: Record<string, string>;
  error?: string;
}
export const dialog = signal<Dialog | undefined>(undefined);

/** Samples per cluster: time, each instance's lag, and the primary's transactions so far. */
export interface Sample {
  at: number;
  lag: Record<number, number | null>;
  written: number | null;
}
export const history = new Map<string, Sample[]>();
const KEEP_MS = 5 * 60_000;

export function record(s: Snapshot): void {
  const now = Date.now();
  for (const c of s.clusters) {
    const samples = history.get(c.view.name) ?? [];
    const primary = c.view.status?.instances?.find((i) => i.ordinal === c.view.status?.primary);
    samples.push({
      at: now,
      lag: Object.fromEntries((c.view.status?.instances ?? []).map((i) => [i.ordinal, i.lagSeconds])),
      written: primary?.gtid ? transactions(primary.gtid) : null,
    });
    while (samples.length && samples[0].at < now - KEEP_MS) samples.shift();
    history.set(c.view.name, samples);
  }
}

/** The number of transactions a GTID position counts (the sum of its sequence numbers). */
export function transactions(gtid: string): number {
  return gtid.split(',').reduce((n, g) => n + Number(g.trim().split('-')[2] ?? 0), 0);
}

export function actionsOf(name: string): ActionRecord[] {
  return (snapshot.value?.actions ?? []).filter((a) => a.cluster === name);
}

export function connect(): void {
  const events = new EventSource('/api/stream');
  events.addEventListener('open', () => (connected.value = true));
  events.addEventListener('error', () => (connected.value = false));
  events.addEventListener('snapshot', (e) => {
    const s = JSON.parse((e as MessageEvent).data) as Snapshot;
    record(s);
    snapshot.value = s;
  });
}

/** POSTs an action; the server's refusal (with its reason) becomes the thrown error. */
export async function post(path: string, body: unknown): Promise<ActionRecord> {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await res.json();
  if (!res.ok) throw new Error(answer.error ?? `the server answered ${res.status}`);
  return answer as ActionRecord;
}
