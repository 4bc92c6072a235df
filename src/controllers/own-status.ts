// The status of the operator's own work objects (MySQLBackup, MySQLRestore,
// MySQLBackupSchedule): how to address one, and one write that merges the fields and a
// condition and goes through the status subresource only when something changed.
import { API_VERSION } from '../api/cluster.js';
import type { Applier } from '../kube/apply.js';
import { setCondition, type Condition, type ConditionUpdate } from '../kube/conditions.js';
import type { KubeObject, ObjectRef } from '../kube/types.js';

export function ownRef(kind: string, obj: KubeObject): ObjectRef & { namespace: string } {
  return { apiVersion: API_VERSION, kind, namespace: obj.metadata?.namespace ?? 'default', name: obj.metadata!.name!, uid: obj.metadata?.uid };
}

export interface OwnStatus {
  conditions?: Condition[];
  observedGeneration?: number;
}

/**
 * `next` and `condition` merged into the object's status. A merge patch drops fields that
 * are undefined, so those named in `clear` are sent as null to remove them. The write carries
 * the resourceVersion it was computed from: a reconcile that read a stale cache (a status it
 * wrote itself a moment ago, not seen yet) gets a conflict and runs again, instead of
 * overwriting the newer status with one decided from the old (a Failed restore's reason
 * replaced by "the Job is gone", once seen on the e2e cluster).
 */
export async function writeOwnStatus<S extends OwnStatus>(
  applier: Pick<Applier, 'patchStatus'>,
  obj: KubeObject & { status?: S },
  ref: ObjectRef,
  next: Partial<S>,
  condition: Omit<ConditionUpdate, 'observedGeneration'>,
  now: Date,
  clear: Array<keyof S & string> = [],
): Promise<void> {
  const generation = obj.metadata?.generation;
  const conditions = setCondition(obj.status?.conditions, { ...condition, observedGeneration: generation }, now);
  const status = { ...obj.status, ...next, conditions, observedGeneration: generation } as S;
  if (JSON.stringify(status) === JSON.stringify(obj.status)) return;
  const cleared = Object.fromEntries(clear.filter((k) => status[k] === undefined).map((k) => [k, null]));
  await applier.patchStatus(ref, { ...status, ...cleared }, obj.metadata?.resourceVersion);
}
