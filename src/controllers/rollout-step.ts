// The Rollout phase: one step of a rolling restart per reconcile, as rollout.ts decides it from
// the pods' revisions and the HA loop's view. The StatefulSet updates OnDelete, so deleting a
// stale pod is what restarts it; the primary's turn starts with a switchover.
import type { MySQLCluster } from '../api/cluster.js';
import { namesOf } from '../builders/names.js';
import type { Applier } from '../kube/apply.js';
import type { EventRecorder } from '../kube/events.js';
import type { ObjectCache } from '../kube/informer.js';
import { objectKey, type KubeObject, type ObjectRef } from '../kube/types.js';
import type { HaHandle } from './cluster-ha.js';
import { clusterPods } from './instances.js';
import type { ClusterRequests } from './requests.js';
import { nextRolloutStep, type RolloutInstance } from './rollout.js';

export interface RolloutDeps {
  applier: Pick<Applier, 'delete'>;
  events: Pick<EventRecorder, 'normal'>;
  pods: ObjectCache;
  statefulSets: ObjectCache;
  requests: Pick<ClusterRequests, 'switchover' | 'switchingOver'>;
}

/** Takes the next step; returns what the rollout is doing, or undefined when there is none. */
export async function rolloutStep(deps: RolloutDeps, ref: ObjectRef & { namespace: string }, cluster: MySQLCluster, ha: HaHandle | undefined): Promise<string | undefined> {
  const sts = deps.statefulSets.get(objectKey(ref.namespace, ref.name)) as (KubeObject & { status?: { updateRevision?: string } }) | undefined;
  const revision = sts?.status?.updateRevision;
  const summary = ha?.loop.summary();
  if (!ha || !revision || !summary) return undefined;
  const pods = clusterPods(deps.pods, ref);
  const instances: RolloutInstance[] = Array.from({ length: cluster.spec.replicas }, (_, o) => {
    const p = pods.get(o);
    return {
      ordinal: o,
      present: !!p && !p.metadata?.deletionTimestamp,
      updated: p?.metadata?.labels?.['controller-revision-hash'] === revision,
      ready: summary.instances.find((i) => i.ordinal === o)?.ready ?? false,
    };
  });
  const step = nextRolloutStep(instances, ha.state.primary, !!ha.state.operation || deps.requests.switchingOver(ref));
  switch (step.kind) {
    case 'done':
      return undefined;
    case 'wait':
      return `rolling update: ${step.reason}`;
    case 'switchover':
      deps.requests.switchover(ref, ha, step.to, 'RollingUpdate');
      return `rolling update: switching over to ${step.to} before restarting primary ${ha.state.primary}`;
    case 'restart':
      await deps.applier.delete({ apiVersion: 'v1', kind: 'Pod', name: namesOf(ref.name, ref.namespace).pod(step.ordinal), namespace: ref.namespace });
      void deps.events.normal(ref, 'RollingRestart', `restarting instance ${step.ordinal} with the new revision ${revision}`);
      return `rolling update: restarting instance ${step.ordinal}`;
  }
}
