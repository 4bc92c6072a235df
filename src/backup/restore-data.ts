// The data of a restored cluster's first instance, the same in the sandbox and in a
// Kubernetes restore Job: the backup is seeded into the data dir and, with a target, the
// archived binary logs are replayed up to it. The target is checked against the archive
// before anything is written (the message gives the covered range), and again from the
// position the restored data really holds, which may be past the manifest's.
import { toPosition } from '../db/gtid.js';
import { backupSeq, type Manifest } from './manifest.js';
import { replay } from './replay.js';
import { seedFromBackup, type Seeded, type SeedOptions } from './seed.js';
import { listSegments, readHead, type Segment } from './segment.js';
import type { Store } from './store.js';
import { planReplay, type Head, type ReplayTarget } from './timeline.js';

export interface Archive {
  store: Store;
  segments: Segment[];
  head?: Head;
}

export async function openArchive(store: Store, cluster: string): Promise<Archive> {
  return { store, segments: await listSegments(store, cluster), head: await readHead(store, cluster) };
}

/** Why the archive cannot bring this backup to the target, or undefined when it can. */
export function uncovered(archive: Archive, manifest: Manifest, target: ReplayTarget): string | undefined {
  const plan = planReplay(archive.segments, backupSeq(manifest), target, archive.head);
  return plan.ok ? undefined : `${plan.reason} (backup ${manifest.cluster}/${manifest.id}, archive in ${archive.store.where})`;
}

/** A seed's options; the replay, if any, comes from `pointInTime`. */
export interface RestoreDataOptions extends Omit<SeedOptions, 'beforeRename'> {
  /** With a target: replay the archive up to it. */
  pointInTime?: { archive: Archive; target: ReplayTarget; field: string };
}

export async function restoreData(o: RestoreDataOptions): Promise<Seeded> {
  const pit = o.pointInTime;
  if (pit) {
    const why = uncovered(pit.archive, o.manifest, pit.target);
    if (why) throw new Error(`${pit.field}: ${why}`);
  }
  return seedFromBackup({
    ...o,
    scratch: `${o.scratch}/seed`,
    beforeRename: pit
      ? async (server, held) => {
          const plan = planReplay(pit.archive.segments, toPosition(held).get(0)?.seq ?? 0, pit.target, pit.archive.head);
          if (!plan.ok) throw new Error(`${pit.field}: ${plan.reason}`);
          return (await replay(pit.archive.store, plan, held, server, `${o.scratch}/replay`, o.onProgress)).gtid;
        }
      : undefined,
  });
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A time or a GTID of domain 0 as a replay target; the fields name the inputs in errors. */
export function replayTarget(time: string | undefined, gtid: string | undefined, fields: { time: string; gtid: string }): ReplayTarget | undefined {
  if (time !== undefined && gtid !== undefined) throw new Error(`${fields.time} and ${fields.gtid}: give one of them, not both`);
  if (time !== undefined) {
    if (!RFC3339.test(time) || Number.isNaN(Date.parse(time))) throw new Error(`${fields.time}: "${time}" is not an RFC 3339 time such as 2026-11-30T14:03:26Z`);
    return { time: new Date(time) };
  }
  if (gtid !== undefined) {
    const m = /^0-\d+-(\d+)$/.exec(gtid);
    if (!m) throw new Error(`${fields.gtid}: "${gtid}" is not a GTID of the cluster's domain 0, such as 0-1-4711`);
    return { seq: Number(m[1]) };
  }
  return undefined;
}
