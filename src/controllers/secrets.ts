// The Secrets phase: the cluster Secret's passwords are generated once and kept (builders/secret.ts),
// a referenced application password is copied in, and the Secret is the cluster's (deleted with
// it) only while its claims are: pvcRetention.whenDeleted: Delete.
import type { MySQLCluster } from '../api/cluster.js';
import { namesOf, type Owned } from '../builders/names.js';
import { clusterSecret, missingSecretValues, type SecretKey } from '../builders/secret.js';
import type { Applier } from '../kube/apply.js';
import type { KubeObject } from '../kube/types.js';
import { PhaseError } from './phase-error.js';

/**
 * `adopt: false` (a restore, before the cluster exists): never owned; the cluster adopts it
 * later by its own rule. `labels` mark who created it.
 */
export async function ensureSecret(applier: Pick<Applier, 'get' | 'apply'>, owner: Owned, cluster: MySQLCluster, opts: { adopt?: boolean; labels?: Record<string, string> } = {}): Promise<void> {
  const n = namesOf(owner.name, owner.namespace);
  const current = await applier.get<KubeObject>({ apiVersion: 'v1', kind: 'Secret', name: n.secrets, namespace: owner.namespace });
  const existing = current && decodeSecret(current);
  const given: Partial<Record<SecretKey, string>> = {};
  const ref = cluster.spec.database.passwordSecretRef;
  if (ref) {
    const app = (await readSecret(applier, owner.namespace, ref.name))?.[ref.key];
    if (!app) throw new PhaseError(`spec.database.passwordSecretRef: Secret ${ref.name} has no key "${ref.key}"`);
    given.app = app;
  }
  const missing = missingSecretValues(existing, given);
  const owned = opts.adopt !== false && cluster.spec.storage.pvcRetention.whenDeleted === 'Delete';
  const ownedNow = (current?.metadata?.ownerReferences as Array<{ uid: string }> | undefined)?.some((r) => r.uid === owner.uid) ?? false;
  if (Object.keys(missing).length === 0 && owned === ownedNow) return;
  // Apply the whole set: server-side apply drops keys this manager owned but did not send.
  await applier.apply(clusterSecret(owner, { ...existing, ...missing }, { owned, labels: opts.labels }));
}

/** A Secret's values, decoded; undefined when it does not exist. */
export async function readSecret(applier: Pick<Applier, 'get'>, namespace: string, name: string): Promise<Record<string, string> | undefined> {
  const s = await applier.get<KubeObject>({ apiVersion: 'v1', kind: 'Secret', name, namespace });
  return s && decodeSecret(s);
}

export function decodeSecret(s: KubeObject & { data?: Record<string, string> }): Record<string, string> {
  return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}
