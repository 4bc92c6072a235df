// PURE: changes to a running cluster's spec that cannot be carried out. They are refused as a
// whole (the operator applies nothing of that generation) and reported with the field path.
import type { ClusterSpec } from './cluster.js';
import type { FieldError } from './validate.js';

const UNITS: Record<string, number> = {
  '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60, m: 1e-3,
};

/** Bytes in a Kubernetes quantity such as "10Gi" or "500M" (validated by the schema). */
export function quantityBytes(q: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/.exec(q);
  if (!m || !(m[2] in UNITS)) throw new Error(`not a quantity: ${q}`);
  return Number(m[1]) * UNITS[m[2]];
}

/** Every refused change (Kubernetes): volumes and what bootstrap created. */
export function refusedChanges(previous: ClusterSpec, next: ClusterSpec): FieldError[] {
  return [...refusedVolumeChanges(previous, next), ...refusedBootstrapChanges(previous, next)];
}

/** Refused wherever the cluster runs: the mode, and the database and user that bootstrap created. */
export function refusedBootstrapChanges(previous: ClusterSpec, next: ClusterSpec): FieldError[] {
  const errors: FieldError[] = [];
  if (next.database.name !== previous.database.name) {
    errors.push({ path: 'spec.database.name', message: `cannot change from "${previous.database.name}": the database is created once, at bootstrap` });
  }
  if (next.mode !== previous.mode) {
    errors.push({ path: 'spec.mode', message: `cannot change from ${previous.mode} to ${next.mode}: the nodes' data, settings and ports belong to one mode; restore a backup into a new cluster instead` });
  }
  if (next.database.user !== previous.database.user) {
    errors.push({ path: 'spec.database.user', message: `cannot change from "${previous.database.user}": the user is created once, at bootstrap` });
  }
  return errors;
}

/** Volumes only grow and keep their class and modes. The sandbox has none (plain folders). */
function refusedVolumeChanges(previous: ClusterSpec, next: ClusterSpec): FieldError[] {
  const errors: FieldError[] = [];
  if (quantityBytes(next.storage.size) < quantityBytes(previous.storage.size)) {
    errors.push({ path: 'spec.storage.size', message: `cannot shrink from ${previous.storage.size} to ${next.storage.size}: volumes only grow` });
  }
  if ((next.storage.storageClassName ?? '') !== (previous.storage.storageClassName ?? '')) {
    errors.push({ path: 'spec.storage.storageClassName', message: `cannot change from "${previous.storage.storageClassName ?? '(default)'}" once volumes exist` });
  }
  if (next.storage.accessModes.join(',') !== previous.storage.accessModes.join(',')) {
    errors.push({ path: 'spec.storage.accessModes', message: 'cannot change once volumes exist' });
  }
  return errors;
}
