// A cluster's pods and claims by ordinal, as the informer caches show them. The caches hold
// every watched namespace, so a same-named cluster elsewhere must not count.
import { claimOrdinalOf, type Owned } from '../builders/names.js';
import type { ObjectCache } from '../kube/informer.js';
import type { KubeObject } from '../kube/types.js';
import { podsByOrdinal } from '../platform/kube/pods.js';

export function clusterPods(pods: ObjectCache, owner: Pick<Owned, 'name' | 'namespace'>): Map<number, KubeObject> {
  return podsByOrdinal(owner.name, inNamespace(pods, owner));
}

export function clusterClaims(claims: ObjectCache, owner: Pick<Owned, 'name' | 'namespace'>): Map<number, KubeObject> {
  const out = new Map<number, KubeObject>();
  for (const c of inNamespace(claims, owner)) {
    const o = claimOrdinalOf(owner.name, c.metadata?.name ?? '');
    if (o !== undefined) out.set(o, c);
  }
  return out;
}

const inNamespace = (cache: ObjectCache, owner: Pick<Owned, 'namespace'>) => cache.list().filter((o) => o.metadata?.namespace === owner.namespace);
