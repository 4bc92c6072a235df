// metav1.Condition semantics, pure: lastTransitionTime moves only when the status changes, so users
// see since when a cluster has been (not) Ready, not when the operator last looked.

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
  /** RFC 3339, whole seconds (metav1.Time). */
  lastTransitionTime: string;
}

export type ConditionUpdate = Omit<Condition, 'lastTransitionTime'>;

/**
 * The list with `update` applied: a new type is appended, an existing one replaced in place.
 * Returns the same array when nothing changed, so callers can skip a status write.
 */
export function setCondition(list: readonly Condition[] | undefined, update: ConditionUpdate, now: Date): Condition[] {
  const current = list ?? [];
  const index = current.findIndex((c) => c.type === update.type);
  const old = index >= 0 ? current[index] : undefined;
  const next: Condition = {
    type: update.type,
    status: update.status,
    reason: update.reason,
    message: update.message,
    ...(update.observedGeneration !== undefined ? { observedGeneration: update.observedGeneration } : {}),
    lastTransitionTime: old && old.status === update.status ? old.lastTransitionTime : rfc3339Seconds(now),
  };
  if (old && sameCondition(old, next)) return current as Condition[];
  return index >= 0 ? current.map((c, i) => (i === index ? next : c)) : [...current, next];
}

export function findCondition(list: readonly Condition[] | undefined, type: string): Condition | undefined {
  return list?.find((c) => c.type === type);
}

export function isConditionTrue(list: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(list, type)?.status === 'True';
}

/** The list without `type`; the same array when it was not there. */
export function removeCondition(list: readonly Condition[] | undefined, type: string): Condition[] {
  const current = (list ?? []) as Condition[];
  return current.some((c) => c.type === type) ? current.filter((c) => c.type !== type) : current;
}

function sameCondition(a: Condition, b: Condition): boolean {
  return (
    a.status === b.status &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.observedGeneration === b.observedGeneration &&
    a.lastTransitionTime === b.lastTransitionTime
  );
}

function rfc3339Seconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
