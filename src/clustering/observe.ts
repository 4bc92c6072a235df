// Gather one snapshot: every instance over SQL, in parallel, each with a hard deadline.
import type { DbConnector } from '../db/instance-db.js';
import type { InstanceTarget, Platform } from './platform.js';
import type { InstanceView, Snapshot } from './types.js';

export interface ObserveOptions {
  db: DbConnector;
  deadlineMs: number;
  /** Carried between ticks: when each instance first became unreachable. */
  unreachableSince: Map<number, number>;
}

export async function observe(platform: Platform, opts: ObserveOptions, now = Date.now()): Promise<Snapshot> {
  const targets = await platform.targets();
  const instances = await Promise.all(
    targets.map(async (t): Promise<InstanceView> => {
      const base: InstanceView = { ordinal: t.ordinal, endpoint: t.endpoint, peer: t.peer, processRunning: t.processRunning, starting: t.starting, provisioning: t.provisioning, hasData: t.hasData };
      if (t.provisioning) return base;
      try {
        const status = await opts.db(t.endpoint, { deadlineMs: opts.deadlineMs, connectTimeoutMs: opts.deadlineMs }).status();
        opts.unreachableSince.delete(t.ordinal);
        return { ...base, status };
      } catch (err) {
        const e = err as { message: string; refused?: boolean };
        if (!opts.unreachableSince.has(t.ordinal)) opts.unreachableSince.set(t.ordinal, now);
        return { ...base, error: e.message, refused: e.refused === true, unreachableSince: opts.unreachableSince.get(t.ordinal) };
      }
    }),
  );
  return { now, instances: instances.sort((a, b) => a.ordinal - b.ordinal) };
}

export function byOrdinal(snap: Snapshot, ordinal: number): InstanceView | undefined {
  return snap.instances.find((i) => i.ordinal === ordinal);
}

export type { InstanceTarget };
