// The faults of the reliability matrix (../shared/brief/ha-rules.md), each injected into a
// running sandbox under load and each returning once the cluster is whole again (every
// instance healthy), so that the next fault is an independent failure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalStatus } from '../../src/platform/local/status.js';
import { sleep, supervisorPidOf, type Sandbox } from '../integration/harness.js';

export type FaultKind =
  | 'kill-primary'
  | 'freeze-primary'
  | 'crash-in-hold'
  | 'supervisor-mid-failover'
  | 'full-crash'
  | 'replica-down'
  | 'errant'
  | 'quarantined-frozen';

export const FAULTS: FaultKind[] = [
  'kill-primary', 'freeze-primary', 'crash-in-hold', 'supervisor-mid-failover', 'full-crash', 'replica-down', 'errant', 'quarantined-frozen',
];

const RECOVERY_DEADLINE_MS = 240_000;
/** spec.failover.detectionWindowSeconds of the chaos cluster. */
export const WINDOW_S = 4;

export async function inject(sb: Sandbox, kind: FaultKind, note: (line: string) => void): Promise<void> {
  const before = await whole(sb);
  switch (kind) {
    case 'kill-primary':
      kill(primaryPid(before));
      break;
    case 'freeze-primary': {
      const pid = primaryPid(before);
      process.kill(pid, 'SIGSTOP');
      await sleep((WINDOW_S + 3) * 1000);
      signal(pid, 'SIGCONT'); // the failover may have killed it already
      break;
    }
    case 'crash-in-hold': {
      kill(primaryPid(before));
      // The new primary fails again before the cluster recovered (the old primary has not
      // rejoined yet): the anti-flapping hold. Watched on the state file, since `local
      // status` is too slow to catch that moment on a busy machine.
      const next = await recordedPrimaryOtherThan(sb, before.primary!);
      note(`new primary ${next} killed inside the hold`);
      kill(Number(readFileSync(join(sb.home, 'clusters', sb.name, 'instances', String(next), 'server.pid'), 'utf8')));
      break;
    }
    case 'supervisor-mid-failover': {
      kill(primaryPid(before));
      await sleep(100 + Math.floor(Math.random() * 800));
      kill(supervisorPidOf(sb)!);
      await sleep(300);
      await sb.up(3);
      break;
    }
    case 'full-crash':
      for (const pid of [supervisorPidOf(sb)!, ...before.instances.map((i) => i.pid!)]) kill(pid);
      await sleep(300);
      await sb.up(3);
      break;
    case 'replica-down':
      kill(pick(replicas(before)).pid!);
      break;
    case 'errant': {
      const victim = pick(replicas(before)).ordinal;
      await errantWrite(sb, victim);
      await sb.waitFor('the errant replica quarantined', (s) => !!s.instances.find((i) => i.ordinal === victim)?.errant, 30_000);
      await rebuild(sb, victim);
      break;
    }
    case 'quarantined-frozen': {
      // An errant replica is quarantined; the healthy one freezes; then the primary dies.
      // The quarantined one must have acknowledged nothing, and the failover loses nothing.
      const [a, b] = replicas(before);
      await errantWrite(sb, a.ordinal);
      await sb.waitFor('the errant replica quarantined', (s) => !!s.instances.find((i) => i.ordinal === a.ordinal)?.errant, 30_000);
      process.kill(b.pid!, 'SIGSTOP');
      await sleep(3000);
      kill(primaryPid(before));
      await sleep(500);
      signal(b.pid!, 'SIGCONT');
      // Either a replica takes over, or the old primary restarts holding the most and is
      // promoted again: both are loss-less; which one depends on what the freeze held back.
      const promoted = (s: LocalStatus) => s.failovers + s.recoveries > before.failovers + before.recoveries;
      await sb.waitFor('a writable primary after the failover', (s) => promoted(s) && s.routes.readWrite === s.primary, RECOVERY_DEADLINE_MS);
      await rebuild(sb, a.ordinal);
      break;
    }
  }
  await whole(sb);
}

/** Every instance healthy; returns the status. */
export function whole(sb: Sandbox): Promise<LocalStatus> {
  return sb.waitFor('every instance healthy', (s) => sb.healthy(3)(s) && s.routes.readWrite === s.primary, RECOVERY_DEADLINE_MS);
}

async function recordedPrimaryOtherThan(sb: Sandbox, old: number): Promise<number> {
  const file = join(sb.home, 'clusters', sb.name, 'state.json');
  const deadline = Date.now() + RECOVERY_DEADLINE_MS;
  while (Date.now() < deadline) {
    try {
      const state = JSON.parse(readFileSync(file, 'utf8')) as { primary: number | null; operation?: unknown };
      if (state.primary !== null && state.primary !== old && !state.operation) return state.primary;
    } catch {
      /* being replaced */
    }
    await sleep(10);
  }
  throw new Error(`no primary other than ${old} was recorded`);
}

async function errantWrite(sb: Sandbox, ordinal: number): Promise<void> {
  // The operator account passes read_only: a write made on the replica itself.
  await sb.instanceQuery(ordinal, 'CREATE TABLE IF NOT EXISTS app.errant (id INT PRIMARY KEY AUTO_INCREMENT) ENGINE=InnoDB');
  await sb.instanceQuery(ordinal, 'INSERT INTO app.errant VALUES (NULL)');
}

async function rebuild(sb: Sandbox, ordinal: number): Promise<void> {
  const r = await sb.cli(['local', 'rebuild', sb.name, String(ordinal)]);
  if (r.code !== 0) throw new Error(`rebuild of ${ordinal} failed: ${r.stderr}`);
}

function primaryPid(s: LocalStatus): number {
  const p = s.instances.find((i) => i.ordinal === s.primary);
  if (!p?.pid) throw new Error(`no running primary: ${JSON.stringify(s.instances)}`);
  return p.pid;
}

const replicas = (s: LocalStatus) => s.instances.filter((i) => i.ordinal !== s.primary);
const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)];
const kill = (pid: number) => signal(pid, 'SIGKILL');

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}
