// The HA loop's world on Kubernetes: instances are the StatefulSet's pods (SQL at the pod IP,
// replication by stable DNS name), routing is the role labels the Services select on, the
// state is the MySQLCluster's status.ha, and the fence of last resort deletes a pod.
import { namesOf } from '../../builders/names.js';
import type { ClusterEvent, InstanceTarget, Platform } from '../../clustering/platform.js';
import type { Routes } from '../../clustering/routing.js';
import type { StartMode } from '../../clustering/start-mode.js';
import type { StartDecision } from '../../agent/start-gate.js';
import { peerEndpoint } from '../../clustering/topology.js';
import type { ClusterState, InstanceView } from '../../clustering/types.js';
import type { Credentials } from '../../db/connection.js';
import { OPERATOR_USER, REPLICATION_USER, type ReplicationSource } from '../../db/dialect.js';
import type { Logger } from '../../clustering/operations.js';
import type { PrimaryAddress } from '../../builders/endpoints.js';
import { instanceTarget, labelPatch, podsByOrdinal, roleLabels, serverRunKey, type PodView, type RoleLabels } from './pods.js';

/** What the platform needs from the API server; the operator wires it to src/kube. */
export interface KubeAccess {
  /** The cluster's pods from the informer cache. */
  pods(): PodView[];
  patchPodLabels(name: string, labels: Record<string, string>): Promise<void>;
  deletePod(name: string, gracePeriodSeconds: number): Promise<void>;
  /** The claim's uid, or undefined when it is gone. */
  claimUid(name: string): Promise<string | undefined>;
  deleteClaim(name: string): Promise<void>;
  /** Replace status.ha (removed keys must disappear, so not a merge patch). */
  writeHaState(state: ClusterState): Promise<void>;
  /** Point NAME-primary at this pod, or at nothing (builders/endpoints.ts). */
  writePrimaryEndpoints(primary: PrimaryAddress | null): Promise<void>;
  /** POST a start decision to a pod's agent; resolves with how many starts it answered. */
  postStartMode(podIP: string, decision: StartDecision): Promise<number>;
  event(e: ClusterEvent): void;
}

export interface KubePlatformOptions {
  name: string;
  namespace: string;
  replicas: () => number;
  passwords: { operator: string; replication: string };
}

export class KubePlatform implements Platform {
  private readonly names;
  /** Labels patched per pod uid+name, so an informer lagging behind does not cause re-patching. */
  private patched = new Map<string, string>();
  /** The address NAME-primary's endpoints were last written with ('' for none). */
  private endpointsFor?: string;
  /** Pods with a start decision on its way, so a slow agent gets one request at a time. */
  private offering = new Set<string>();
  /** Per ordinal, the last word its start gate took, for which run of its mysql container. */
  private startsTaken = new Map<number, { run: string; mode: StartMode }>();

  constructor(
    private readonly opts: KubePlatformOptions,
    private readonly kube: KubeAccess,
    private readonly log: Logger,
  ) {
    this.names = namesOf(opts.name, opts.namespace);
  }

  private instancePods(): Map<number, PodView> {
    return podsByOrdinal(this.opts.name, this.kube.pods());
  }

  async targets(): Promise<InstanceTarget[]> {
    const pods = this.instancePods();
    const count = Math.max(this.opts.replicas(), ...[...pods.keys()].map((o) => o + 1));
    return Promise.all(Array.from({ length: count }, async (_, o) => {
      const pod = pods.get(o);
      const claim = pod ? undefined : await this.kube.claimUid(this.names.pvc(o));
      const target = instanceTarget(this.opts.name, this.opts.namespace, o, pod, claim !== undefined);
      // Its gate let mariadbd start in this run of the container: refusing connections now is
      // crash recovery, not a crash (a held server is not starting).
      const taken = this.startsTaken.get(o);
      if (pod && target.processRunning && taken?.run === serverRunKey(pod) && taken.mode !== 'hold') target.starting = true;
      return target;
    }));
  }

  operatorCredentials(): Credentials {
    return { user: OPERATOR_USER, password: this.opts.passwords.operator };
  }

  replicationSource(primary: InstanceView): ReplicationSource {
    return { ...peerEndpoint(primary), user: REPLICATION_USER, password: this.opts.passwords.replication, heartbeatSeconds: 0.5 };
  }

  async route(routes: Routes): Promise<void> {
    const pods = this.instancePods();
    // The read-write endpoint first: clients reach the new primary as soon as kube-proxy reads it.
    const rw = routes.readWrite === null ? undefined : pods.get(routes.readWrite);
    const primary = rw?.status?.podIP && rw.metadata?.name ? { ip: rw.status.podIP, pod: rw.metadata.name } : null;
    const key = primary ? `${primary.pod}@${primary.ip}` : '';
    if (key !== this.endpointsFor) {
      await this.kube.writePrimaryEndpoints(primary);
      this.endpointsFor = key;
      this.log.info({ primary: primary?.pod ?? null, ip: primary?.ip ?? null }, 'read-write endpoints written');
    }
    // Take the primary label away before giving it to anyone (a Service of the user's may
    // select on it): the others first, together, then the primary.
    const others = [...pods.keys()].filter((o) => o !== routes.readWrite);
    await Promise.all(others.map((o) => this.label(pods.get(o)!, roleLabels(o, routes))));
    if (rw) await this.label(rw, roleLabels(routes.readWrite!, routes));
  }

  private async label(pod: PodView, want: RoleLabels): Promise<void> {
    const key = `${pod.metadata?.name}/${pod.metadata?.uid}`;
    const patch = labelPatch(pod.metadata?.labels, want);
    if (!patch) {
      this.patched.delete(key);
      return;
    }
    if (this.patched.get(key) === JSON.stringify(patch)) return;
    await this.kube.patchPodLabels(pod.metadata!.name!, patch);
    this.patched.set(key, JSON.stringify(patch));
    this.log.info({ pod: key, labels: patch }, 'routing labels changed');
  }

  async restart(ordinal: number): Promise<void> {
    // Grace 0: a frozen or isolated primary must not get the chance to answer again.
    await this.kube.deletePod(this.names.pod(ordinal), 0);
  }

  /**
   * Delete the claim and the pod; returns once a new claim exists, so the HA loop does not
   * stall while the instance clones (it is `provisioning` until its init containers finish).
   */
  async rebuild(ordinal: number): Promise<void> {
    const claim = this.names.pvc(ordinal);
    const before = await this.kube.claimUid(claim);
    await this.kube.deleteClaim(claim);
    await this.kube.deletePod(this.names.pod(ordinal), 30);
    // The StatefulSet may recreate the pod while the old claim is still terminating and bind
    // it again; delete the pod until it comes back on a new claim.
    const deadline = Date.now() + 300_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`instance ${ordinal} did not get a new volume within 5 minutes`);
      await new Promise((r) => setTimeout(r, 1000));
      const uid = await this.kube.claimUid(claim);
      if (uid && uid !== before) return;
      if (uid === before && this.instancePods().get(ordinal)) await this.kube.deletePod(this.names.pod(ordinal), 0);
    }
  }

  offerStart(ordinal: number, mode: StartMode, why: string): void {
    const pod = this.instancePods().get(ordinal);
    const ip = pod?.status?.podIP;
    const key = `${pod?.metadata?.uid}`;
    if (!ip || pod?.metadata?.deletionTimestamp || this.offering.has(key)) return;
    this.offering.add(key);
    const run = serverRunKey(pod);
    this.kube.postStartMode(ip, { mode, why }).then(
      (answered) => {
        if (answered === 0) return;
        this.startsTaken.set(ordinal, { run, mode });
        this.log.info({ pod: pod.metadata?.name, mode, why }, 'start mode given');
      },
      // The agent may not listen yet; the next tick offers again.
      () => {},
    ).finally(() => this.offering.delete(key));
  }

  async saveState(state: ClusterState): Promise<void> {
    await this.kube.writeHaState(state);
  }

  event(e: ClusterEvent): void {
    this.kube.event(e);
    (e.type === 'Warning' ? this.log.warn : this.log.info).call(this.log, { event: e.reason }, e.message);
  }
}
