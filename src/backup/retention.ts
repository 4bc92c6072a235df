// Which backups and archived binary logs a schedule's limits let go. PURE decisions plus the
// deletion of a backup's whole folder. The archive is pruned with the backups: segments that
// no kept backup can replay from are deleted too (mariadb-operator #1689 kept them forever).
import { backupFolder, backupSeq, consistentAt, type Manifest } from './manifest.js';
import type { Segment } from './segment.js';
import type { Store } from './store.js';

/** The backups beyond the newest `keep` of one cluster, oldest first. */
export function expiredBackups(backups: Manifest[], keep: number): Manifest[] {
  const newestFirst = [...backups].sort((a, b) => consistentAt(b) - consistentAt(a));
  return newestFirst.slice(keep).reverse();
}

/** Archived segments wholly before the oldest kept backup: no restore can use them. */
export function prunableSegments(segments: Segment[], oldestKept: Manifest | undefined): Segment[] {
  if (!oldestKept) return [];
  const seq = backupSeq(oldestKept);
  const at = consistentAt(oldestKept);
  return segments.filter((s) => s.lastSeq <= seq && Date.parse(s.closedAt) <= at);
}

/** Delete every object of a backup (its manifest first, so a half-deleted one never lists). */
export async function deleteBackup(store: Store, m: Manifest): Promise<void> {
  const folder = backupFolder(m.cluster, m.id);
  const objects = (await store.list(`${folder}/`)).map((o) => o.key);
  const manifest = objects.filter((k) => k.endsWith('/manifest.json'));
  await store.remove(manifest);
  await store.remove(objects.filter((k) => !manifest.includes(k)));
}
