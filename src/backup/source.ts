// PURE: which instance a backup is taken from. A replica by default, so the primary's
// clients do not pay for the copy; never an errant or unready instance, whose data may not
// be the cluster's.
import type { InstanceSummary } from '../clustering/summary.js';

export type BackupTarget = 'replica' | 'primary' | 'preferReplica';
export const BACKUP_TARGETS: BackupTarget[] = ['replica', 'primary', 'preferReplica'];

export type SourceChoice = { ok: true; ordinal: number; role: 'primary' | 'replica' } | { ok: false; reason: string };

export function chooseBackupSource(instances: InstanceSummary[], target: BackupTarget): SourceChoice {
  const healthy = instances.filter((i) => i.ready && !i.errant);
  const replicas = healthy.filter((i) => i.role === 'replica').sort((a, b) => (a.lagSeconds ?? Infinity) - (b.lagSeconds ?? Infinity) || a.ordinal - b.ordinal);
  const primary = healthy.find((i) => i.role === 'primary');
  if (target !== 'primary' && replicas.length > 0) return { ok: true, ordinal: replicas[0].ordinal, role: 'replica' };
  if (target !== 'replica' && primary) return { ok: true, ordinal: primary.ordinal, role: 'primary' };
  if (target === 'replica') {
    return { ok: false, reason: `no replica is ready to be backed up${primary ? '; take it from the primary with target primary or preferReplica' : ''}` };
  }
  return { ok: false, reason: 'the primary is not ready' + (target === 'preferReplica' ? ' and no replica is' : '') };
}
