// The Storage phase, spec.storage.pvcRetention: whenDeleted: Delete hands each claim to the
// cluster (an owner reference) so the garbage collector removes it with the cluster;
// whenScaled: Delete removes the claims of instances that scaling down removed, once their
// pods are gone. Retain, the default, leaves the data until a person deletes it.
import { CLUSTER_API, type MySQLCluster } from '../api/cluster.js';
import { namesOf, ownerReference, type Owned } from '../builders/names.js';
import type { Applier } from '../kube/apply.js';
import type { EventRecorder } from '../kube/events.js';
import type { ObjectCache } from '../kube/informer.js';
import { clusterClaims, clusterPods } from './instances.js';
import { claimsOfRemovedInstances } from './scale.js';

export interface StorageDeps {
  applier: Pick<Applier, 'mergePatch' | 'delete'>;
  events: Pick<EventRecorder, 'normal'>;
  claims: ObjectCache;
  pods: ObjectCache;
}

export async function applyClaimRetention(deps: StorageDeps, owner: Owned, cluster: MySQLCluster): Promise<void> {
  const { whenDeleted, whenScaled } = cluster.spec.storage.pvcRetention;
  const claims = clusterClaims(deps.claims, owner);
  const own = whenDeleted === 'Delete';
  for (const c of claims.values()) {
    const refs = (c.metadata?.ownerReferences as Array<{ uid: string }> | undefined) ?? [];
    if (refs.some((r) => r.uid === owner.uid) === own) continue;
    const next = own ? [...refs, ownerReference(owner)] : refs.filter((r) => r.uid !== owner.uid);
    await deps.applier.mergePatch(
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: c.metadata!.name!, namespace: owner.namespace },
      { metadata: { ownerReferences: next.length ? next : null } },
    );
  }
  if (whenScaled !== 'Delete') return;
  const n = namesOf(owner.name, owner.namespace);
  const pods = [...clusterPods(deps.pods, owner).keys()];
  for (const o of claimsOfRemovedInstances([...claims.keys()], cluster.spec.replicas, pods)) {
    await deps.applier.delete({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: n.pvc(o), namespace: owner.namespace });
    void deps.events.normal({ ...CLUSTER_API, name: owner.name, namespace: owner.namespace }, 'ClaimDeleted', `deleted ${n.pvc(o)} of removed instance ${o} (pvcRetention.whenScaled: Delete)`);
  }
}
