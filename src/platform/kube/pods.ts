// PURE: what the HA loop may believe about an instance from its pod, and which role labels
// each pod should carry for the Services to route.
import { CLUSTER_LABEL, HEALTHY_LABEL, MYSQL_PORT, ROLE_LABEL, namesOf, ordinalOf } from '../../builders/names.js';
import type { InstanceTarget } from '../../clustering/platform.js';
import type { Routes } from '../../clustering/routing.js';

/** The few pod fields this needs (plain JSON as the API server sends it). */
export interface PodView {
  metadata?: { name?: string; uid?: string; labels?: Record<string, string>; deletionTimestamp?: string };
  status?: {
    podIP?: string;
    initContainerStatuses?: Array<{ name: string; restartCount?: number; state?: { terminated?: { exitCode?: number } } }>;
    containerStatuses?: Array<{ name: string; ready?: boolean; restartCount?: number; state?: { running?: unknown } }>;
  };
}

/** The cluster's pods by ordinal: labelled as its own and named NAME-N (anything else is not an instance). */
export function podsByOrdinal<P extends Pick<PodView, 'metadata'>>(cluster: string, pods: P[]): Map<number, P> {
  const out = new Map<number, P>();
  for (const p of pods) {
    if (p.metadata?.labels?.[CLUSTER_LABEL] !== cluster) continue;
    const o = ordinalOf(cluster, p.metadata?.name ?? '');
    if (o !== undefined) out.set(o, p);
  }
  return out;
}

/**
 * `claimExists` is asked only for an absent pod: its kept volume may hold the most, so a
 * cluster choosing its first primary waits for it (OrderedReady creates pods one by one).
 */
export function instanceTarget(cluster: string, namespace: string, ordinal: number, pod: PodView | undefined, claimExists = false): InstanceTarget {
  const peer = { host: namesOf(cluster, namespace).host(ordinal), port: MYSQL_PORT };
  // No pod (yet, or force-deleted): nothing of it can be running or acknowledging writes.
  if (!pod) return { ordinal, endpoint: peer, peer, processRunning: false, provisioning: true, hasData: claimExists };
  const inits = pod.status?.initContainerStatuses ?? [];
  const initDone = inits.every((s) => s.state?.terminated?.exitCode === 0);
  const ip = pod.status?.podIP;
  if (!initDone || !ip) {
    // init-data passes at once on a volume with data; one that failed had none to keep.
    const clone = inits.find((s) => s.name === 'clone');
    const hasData = !(clone && ((clone.restartCount ?? 0) > 0 || (clone.state?.terminated?.exitCode ?? 0) !== 0));
    return { ordinal, endpoint: ip ? { host: ip, port: MYSQL_PORT } : peer, peer, processRunning: false, provisioning: true, hasData };
  }
  const mysql = pod.status?.containerStatuses?.find((c) => c.name === 'mysql');
  return { ordinal, endpoint: { host: ip, port: MYSQL_PORT }, peer, processRunning: mysql ? mysql.state?.running !== undefined : undefined };
}

/**
 * One run of the pod's mysql container: its PID 1 waits at the start gate, then runs mariadbd
 * until it exits, and the container restarts (a new run) when it does.
 */
export function serverRunKey(pod: PodView): string {
  const mysql = pod.status?.containerStatuses?.find((c) => c.name === 'mysql');
  return `${pod.metadata?.uid}/${mysql?.restartCount ?? 0}`;
}

export type RoleLabels = Record<typeof ROLE_LABEL | typeof HEALTHY_LABEL, string>;

/** The read-write route is the only pod labelled primary; routed readers are healthy. */
export function roleLabels(ordinal: number, routes: Routes): RoleLabels {
  const role = routes.readWrite === ordinal ? 'primary' : routes.readOnly.includes(ordinal) ? 'replica' : 'none';
  return { [ROLE_LABEL]: role, [HEALTHY_LABEL]: String(role !== 'none') } as RoleLabels;
}

/** Labels to patch on a pod so it matches `want`, or undefined when it already does. */
export function labelPatch(current: Record<string, string> | undefined, want: RoleLabels): RoleLabels | undefined {
  const differs = (Object.keys(want) as Array<keyof RoleLabels>).some((k) => current?.[k] !== want[k]);
  return differs ? want : undefined;
}
