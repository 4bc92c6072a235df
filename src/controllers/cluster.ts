// The MySQLCluster reconciler: an ordered list of named phases (a failing phase is named in
// the Ready condition, so a person sees where it stopped). Level-triggered and idempotent:
// every run applies the whole desired state and reads everything it decides on afresh.
import { createHash } from 'node:crypto';
import type { ArchiveView } from '../agent/archive.js';
import { fetchArchive } from '../agent/peers.js';
import { CLUSTER_API, REBUILD_ANNOTATION, RECOVER_ANNOTATION, type MySQLCluster } from '../api/cluster.js';
import { refusedChanges } from '../api/changes.js';
import { kubeClusterErrors, validateCluster, type FieldError } from '../api/validate.js';
import { CLUSTER_FILE, configMap } from '../builders/config.js';
import { AGENT_PORT, namesOf, type Owned } from '../builders/names.js';
import { podDisruptionBudget } from '../builders/pdb.js';
import { services } from '../builders/services.js';
import { statefulSet } from '../builders/statefulset.js';
import type { Logger } from '../clustering/operations.js';
import type { ClusterState } from '../clustering/types.js';
import type { Applier } from '../kube/apply.js';
import { describeError } from '../kube/client.js';
import type { Condition } from '../kube/conditions.js';
import type { Discovery } from '../kube/discovery.js';
import type { EventRecorder } from '../kube/events.js';
import type { ObjectCache } from '../kube/informer.js';
import type { HandlerResult } from '../kube/queue.js';
import { objectKey, splitKey, type KubeObject, type ObjectRef } from '../kube/types.js';
import { ClusterHa } from './cluster-ha.js';
import { GaleraHa } from './galera-ha.js';
import { PhaseError } from './phase-error.js';
import { ClusterRequests } from './requests.js';
import { rolloutStep } from './rollout-step.js';
import { statefulSetReplicas } from './scale.js';
import { ensureSecret, readSecret } from './secrets.js';
import { clusterStatus, type ClusterStatus } from './status.js';
import { applyClaimRetention } from './storage.js';

export interface ClusterControllerDeps {
  applier: Applier;
  discovery: Discovery;
  events: EventRecorder;
  clusters: ObjectCache;
  pods: ObjectCache;
  statefulSets: ObjectCache;
  claims: ObjectCache;
  log: Logger;
  /** The MariaDB+agent image when spec.engine.image is unset. */
  image: string;
  tickMs?: number;
  /** False once this process no longer holds the Lease: no write, no HA step after that. */
  mayAct?: () => boolean;
  /** Reconcile this cluster soon (the work queue's add). */
  enqueue?: (key: string) => void;
}

type ClusterObject = KubeObject & { spec?: unknown; status?: { ha?: ClusterState; conditions?: Condition[] } };

/** Everything is applied again this often (drift repair); in between, reconciles run on events. */
const FULL_RESYNC_MS = 10 * 60_000;
/** A phase that failed is retried this soon. */
const RETRY_MS = 5000;

/**
 * Per cluster: what was last applied (a digest of each object's text: 500 clusters' full texts
 * cost tens of MB), the spec the pods run (the ConfigMap's cluster file), and when everything was
 * last redone.
 */
interface Memo {
  fullAt: number;
  applied: Map<string, string>;
  runningSpec?: string;
  /** Inputs of the phases that only read (the spec check, the Secret), when they last passed. */
  passed: Map<string, string>;
}

export class ClusterController {
  private readonly ha = new Map<string, ClusterHa | GaleraHa>();
  private readonly requests: ClusterRequests;
  private readonly lastStatus = new Map<string, string>();
  private readonly memos = new Map<string, Memo>();

  constructor(private readonly deps: ClusterControllerDeps) {
    this.requests = new ClusterRequests(deps);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.ha.values()].map((h) => h.loop.stop()));
    this.ha.clear();
  }

  /** One of the cluster's pods changed: its HA loop looks at once (a deleted primary fails over sooner). */
  podChanged(key: string): void {
    this.ha.get(key)?.loop.wake();
  }

  async reconcile(key: string): Promise<HandlerResult> {
    const obj = this.deps.clusters.get(key) as ClusterObject | undefined;
    if (!obj || obj.metadata?.deletionTimestamp) {
      await this.forget(key);
      return;
    }
    const { name, namespace = 'default' } = splitKey(key);
    const ref: ObjectRef & { namespace: string } = { ...CLUSTER_API, name, namespace, uid: obj.metadata?.uid };
    const generation = Number(obj.metadata?.generation ?? 0);
    const owner: Owned = { name, namespace, uid: obj.metadata?.uid ?? '' };
    const previousConditions = obj.status?.conditions;

    const validated = validateCluster({ ...obj, status: undefined });
    if (!validated.ok) return this.refuse(key, ref, generation, validated.errors, previousConditions);
    const cluster = validated.value;
    const notHere = kubeClusterErrors(cluster.spec);
    if (notHere.length) return this.refuse(key, ref, generation, notHere, previousConditions);

    let failedPhase: { phase: string; message: string } | undefined;
    let rollout: string | undefined;
    const memo = this.memo(key);
    const full = Date.now() - memo.fullAt >= FULL_RESYNC_MS;
    const apply = (o: KubeObject) => this.applyChanged(memo, o, full);
    const once = (phase: string, inputs: unknown, run: () => Promise<void>) => this.passOnce(memo, full, phase, inputs, run);
    const phases: Array<[string, () => Promise<unknown>]> = [
      ['Spec', () => once('Spec', cluster.spec, async () => {
        const refused = await this.refusedChanges(owner, cluster, full ? undefined : memo);
        if (refused.length) throw new RefusedSpec(refused);
      })],
      ['Secrets', () => once('Secrets', [cluster.spec.storage.pvcRetention.whenDeleted, cluster.spec.database.passwordSecretRef ?? null], () => ensureSecret(this.deps.applier, owner, cluster))],
      ['Config', () => apply(configMap(owner, cluster))],
      ['Services', async () => { for (const s of services(owner)) await apply(s); }],
      ['StatefulSet', () => this.applyStatefulSet(key, ref, owner, cluster, obj.status?.ha, apply)],
      // The HA loop first: nothing after it may keep a cluster from getting a primary.
      ['HighAvailability', () => this.ensureHa(key, ref, cluster, obj.status?.ha)],
      ['DisruptionBudget', () => this.applyPdb(owner, apply)],
      ['Storage', () => applyClaimRetention(this.deps, owner, cluster)],
      ['Rollout', async () => { rollout = await rolloutStep({ ...this.deps, requests: this.requests }, ref, cluster, this.ha.get(key)); }],
      ['Switchover', async () => { if (!rollout) this.requests.preferredPrimary(ref, this.ha.get(key), cluster); }],
      ['Rebuild', async () => this.requests.rebuild(ref, this.ha.get(key), obj.metadata?.annotations?.[REBUILD_ANNOTATION])],
      ['Recover', async () => this.requests.recoverFrom(ref, this.galeraOf(key), obj.metadata?.annotations?.[RECOVER_ANNOTATION])],
    ];
    for (const [phase, run] of phases) {
      try {
        await run();
      } catch (err) {
        if (err instanceof RefusedSpec) return this.refuse(key, ref, generation, err.errors, previousConditions);
        failedPhase = { phase, message: err instanceof PhaseError ? err.message : describeError(err) };
        this.deps.log.warn({ cluster: key, phase, err: failedPhase.message }, 'reconcile phase failed');
        void this.deps.events.warning(ref, `${phase}Failed`, failedPhase.message);
        break;
      }
    }
    const summary = this.ha.get(key)?.loop.summary();
    await this.writeStatus(key, ref, clusterStatus({
      name, generation, replicas: cluster.spec.replicas, summary, galera: this.galeraOf(key)?.status(),
      previous: previousConditions, failedPhase, rollout, archive: cluster.spec.pitr ? await this.archiveOf(namespace, name, summary?.primary) : undefined, now: new Date(),
    }));
    if (failedPhase) return { requeueAfterMs: RETRY_MS };
    if (full) memo.fullAt = Date.now();
    // Changes come as events (the resource, its pods and StatefulSet, the HA loop's summary);
    // the archive's progress does not, so a cluster with spec.pitr looks again each interval.
    const next = Math.max(1000, memo.fullAt + FULL_RESYNC_MS - Date.now());
    return { requeueAfterMs: cluster.spec.pitr ? Math.min(next, cluster.spec.pitr.archiveIntervalSeconds * 1000) : next };
  }

  /** The archive as the primary's agent sees it. */
  private async archiveOf(namespace: string, name: string, primary: number | null | undefined): Promise<ArchiveView | { error: string }> {
    if (primary === null || primary === undefined) return { error: 'no primary: nothing is archived until there is one' };
    const pod = this.deps.pods.get(objectKey(namespace, namesOf(name, namespace).pod(primary))) as { status?: { podIP?: string } } | undefined;
    if (!pod?.status?.podIP) return { error: `the primary's pod has no IP` };
    return fetchArchive(`${pod.status.podIP}:${AGENT_PORT}`).catch((err: Error) => ({ error: `the primary's agent did not say how far the archive reaches: ${err.message}` }));
  }

  private memo(key: string): Memo {
    let m = this.memos.get(key);
    if (!m) this.memos.set(key, (m = { fullAt: 0, applied: new Map(), passed: new Map() }));
    return m;
  }

  /** Server-side apply, skipped when the same object was applied since the last full resync. */
  private async applyChanged(memo: Memo, obj: KubeObject, full: boolean): Promise<void> {
    const id = `${obj.kind}/${obj.metadata?.name}`;
    const digest = createHash('sha256').update(JSON.stringify(obj)).digest('base64');
    if (!full && memo.applied.get(id) === digest) return;
    await this.deps.applier.apply(obj);
    memo.applied.set(id, digest);
    const spec = (obj as { data?: Record<string, string> }).data?.[CLUSTER_FILE];
    if (obj.kind === 'ConfigMap' && spec) memo.runningSpec = spec;
  }

  /** A read-only phase, run again only when its inputs changed or at a full resync. */
  private async passOnce(memo: Memo, full: boolean, phase: string, inputs: unknown, run: () => Promise<void>): Promise<void> {
    const text = JSON.stringify(inputs);
    if (!full && memo.passed.get(phase) === text) return;
    await run();
    memo.passed.set(phase, text);
  }

  private async forget(key: string): Promise<void> {
    const h = this.ha.get(key);
    this.ha.delete(key);
    this.lastStatus.delete(key);
    this.memos.delete(key);
    await h?.loop.stop();
  }

  private async refuse(key: string, ref: ObjectRef, generation: number, errors: FieldError[], previous?: Condition[]): Promise<HandlerResult> {
    const status = clusterStatus({ name: ref.name, generation, replicas: 0, summary: this.ha.get(key)?.loop.summary(), previous, refused: errors, now: new Date() });
    if (await this.writeStatus(key, ref, status)) void this.deps.events.warning(ref, 'SpecRefused', status.message);
    return { requeueAfterMs: RETRY_MS };
  }

  /** What the pods run now is in the ConfigMap: changes that cannot be carried out are refused. */
  private async refusedChanges(owner: Owned, cluster: MySQLCluster, memo?: Memo): Promise<FieldError[]> {
    const name = namesOf(owner.name, owner.namespace).config;
    // What this process applied last is what the pods run, unless a full resync asks the server.
    const text = memo?.runningSpec ?? (await this.deps.applier.get<KubeObject & { data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace: owner.namespace }))?.data?.[CLUSTER_FILE];
    if (!text) return [];
    const previous = validateCluster(JSON.parse(text));
    return previous.ok ? refusedChanges(previous.value.spec, cluster.spec) : [];
  }

  private async applyStatefulSet(key: string, ref: ObjectRef, owner: Owned, cluster: MySQLCluster, saved: ClusterState | undefined, apply: (o: KubeObject) => Promise<void>): Promise<void> {
    const ha = this.ha.get(key);
    const primary = ha?.state.primary ?? saved?.primary ?? null;
    const sts = statefulSet(owner, cluster, { image: this.deps.image });
    sts.spec.replicas = statefulSetReplicas(cluster.spec.replicas, primary);
    await apply(sts);
    this.requests.beforeScaleDown(ref, ha, cluster.spec.replicas, primary);
  }

  private async applyPdb(owner: Owned, apply: (o: KubeObject) => Promise<void>): Promise<void> {
    const version = await this.deps.discovery.preferred('PodDisruptionBudget', ['policy/v1', 'policy/v1beta1']);
    if (!version) throw new PhaseError('the server serves no PodDisruptionBudget API');
    await apply(podDisruptionBudget(owner, version as 'policy/v1' | 'policy/v1beta1'));
  }

  private async ensureHa(key: string, ref: ObjectRef & { namespace: string }, cluster: MySQLCluster, saved?: ClusterState): Promise<void> {
    const running = this.ha.get(key);
    if (running) return running.update(cluster);
    const secret = await readSecret(this.deps.applier, ref.namespace, namesOf(ref.name, ref.namespace).secrets);
    if (!secret?.operator || !secret.replication || !secret['agent-token']) throw new PhaseError('the cluster Secret has no operator or replication password or agent token');
    const secrets = { operator: secret.operator, replication: secret.replication, agentToken: secret['agent-token'] };
    const deps = { ...this.deps, tickMs: this.deps.tickMs ?? 500 };
    const changed = () => this.deps.enqueue?.(key);
    const h = cluster.spec.mode === 'galera' ? new GaleraHa(deps, ref, cluster.spec, saved, secrets, changed) : new ClusterHa(deps, ref, cluster, saved, secrets, changed);
    this.ha.set(key, h);
    h.loop.start();
    this.deps.log.info({ cluster: key, primary: h.state.primary }, 'HA loop started');
  }

  private galeraOf(key: string): GaleraHa | undefined {
    const h = this.ha.get(key);
    return h instanceof GaleraHa ? h : undefined;
  }

  /** Write status when it changed; true when written. */
  private async writeStatus(key: string, ref: ObjectRef, status: ClusterStatus): Promise<boolean> {
    const text = JSON.stringify(status);
    if (this.lastStatus.get(key) === text) return false;
    await this.deps.applier.patchStatus(ref, status);
    this.lastStatus.set(key, text);
    return true;
  }
}

class RefusedSpec extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  }
}
