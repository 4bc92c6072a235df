// The cluster's passwords. Generated once by the operator and kept: re-applying never
// regenerates one (that would lock replicas and the agent out). They belong with the data:
// the Secret is the cluster's (deleted with it) only when its claims are, so a cluster
// created again on retained claims logs in with the passwords those data dirs hold.
import { generatePassword } from '../db/accounts.js';
import { childMeta, namesOf, type Owned } from './names.js';

export const SECRET_KEYS = ['root', 'operator', 'replication', 'app', 'exporter', 'agent-token', 'sst'] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/** The keys `existing` lacks, each with a new password; `given` values (e.g. the app's) win. */
export function missingSecretValues(existing: Record<string, string> | undefined, given: Partial<Record<SecretKey, string>> = {}): Partial<Record<SecretKey, string>> {
  const out: Partial<Record<SecretKey, string>> = {};
  for (const k of SECRET_KEYS) if (!existing?.[k]) out[k] = given[k] ?? generatePassword();
  return out;
}

export function clusterSecret(owner: Owned, values: Partial<Record<SecretKey, string>>, opts: { owned: boolean; labels?: Record<string, string> }) {
  const { ownerReferences, ...meta } = childMeta(owner, namesOf(owner.name, owner.namespace).secrets, opts.labels);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: opts.owned ? { ...meta, ownerReferences } : meta,
    data: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v as string).toString('base64')])),
  };
}
