// The MySQLCluster reconciler: an ordered list of named phases (a failing phase is named in
// the Ready condition, so a person sees where it stopped). Level-triggered and idempotent:
// every run applies the whole desired state and reads everything it decides on afresh.
import { CLUSTER_API, REBUILD_ANNOTATION, type MySQLCluster } from '../api/cluster.js';
import { refusedChanges } from '../api/changes.js';
import { validateCluster, type FieldError } from '../api/validate.js';
import { CLUSTER_FILE, configMap } from '../builders/config.js';
import { namesOf, type Owned } from '../builders/names.js';
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
import type { Informer } from '../kube/informer.js';
import type { HandlerResult } from '../kube/queue.js';
import { splitKey, type KubeObject, type ObjectRef } from '../kube/types.js';
import { ClusterHa } from './cluster-ha.js';
import { nextRolloutStep, type RolloutInstance } from './rollout.js';
import { clusterPods } from './instances.js';
import { primaryMustMove, statefulSetReplicas } from './scale.js';
import { PhaseError } from './phase-error.js';
import { ensureSecret, readSecret } from './secrets.js';
import { applyClaimRetention } from './storage.js';
import { clusterStatus, type ClusterStatus } from './status.js';

export interface ClusterControllerDeps {
  applier: Applier;
  discovery: Discovery;
  events: EventRecorder;
  clusters: Informer<KubeObject>;
  pods: Informer<KubeObject>;
  statefulSets: Informer<KubeObject>;
  claims: Informer<KubeObject>;
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

/** Per cluster: what was last applied (object text by object), and when everything was last redone. */
interface Memo {
  fullAt: number;
  applied: Map<string, string>;
  /** Inputs of the phases that only read (the spec check, the Secret), when they last passed. */
  passed: Map<string, string>;
}

export class ClusterController {
  private readonly ha = new Map<string, ClusterHa>();
  /** Switchovers the controller asked for and has not seen finish (one per cluster). */
  private readonly switching = new Map<string, Promise<void>>();
  private readonly lastStatus = new Map<string, string>();
  private readonly rebuilding = new Map<string, Promise<unknown>>();
  private readonly memos = new Map<string, Memo>();

  constructor(private readonly deps: ClusterControllerDeps) {}

  async stop(): Promise<void> {
    await Promise.all([...this.ha.values()].map((h) => h.loop.stop()));
    this.ha.clear();
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
      ['StatefulSet', () => this.applyStatefulSet(key, owner, cluster, obj.status?.ha, apply)],
      // The HA loop first: nothing after it may keep a cluster from getting a primary.
      ['HighAvailability', () => this.ensureHa(key, ref, cluster, obj.status?.ha)],
      ['DisruptionBudget', () => this.applyPdb(owner, apply)],
      ['Storage', () => applyClaimRetention(this.deps, owner, cluster)],
      ['Rollout', async () => { rollout = await this.rollout(key, owner, cluster); }],
      ['Switchover', async () => { if (!rollout) this.preferredPrimary(key, ref, cluster); }],
      ['Rebuild', async () => this.requestedRebuild(key, ref, obj.metadata?.annotations?.[REBUILD_ANNOTATION])],
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
    await this.writeStatus(key, ref, clusterStatus({
      name, generation, replicas: cluster.spec.replicas, summary: this.ha.get(key)?.loop.summary(),
      previous: previousConditions, failedPhase, rollout, now: new Date(),
    }));
    if (failedPhase) return { requeueAfterMs: RETRY_MS };
    if (full) memo.fullAt = Date.now();
    // Changes come as events (the resource, its pods and StatefulSet, the HA loop's summary).
    return { requeueAfterMs: Math.max(1000, memo.fullAt + FULL_RESYNC_MS - Date.now()) };
  }

  private memo(key: string): Memo {
    let m = this.memos.get(key);
    if (!m) this.memos.set(key, (m = { fullAt: 0, applied: new Map(), passed: new Map() }));
    return m;
  }

  /** Server-side apply, skipped when the same object was applied since the last full resync. */
  private async applyChanged(memo: Memo, obj: KubeObject, full: boolean): Promise<void> {
    const id = `${obj.kind}/${obj.metadata?.name}`;
    const text = JSON.stringify(obj);
    if (!full && memo.applied.get(id) === text) return;
    await this.deps.applier.apply(obj);
    memo.applied.set(id, text);
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
    const applied = memo?.applied.get(`ConfigMap/${name}`);
    const cm = applied
      ? (JSON.parse(applied) as { data?: Record<string, string> })
      : await this.deps.applier.get<KubeObject & { data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace: owner.namespace });
    const text = cm?.data?.[CLUSTER_FILE];
    if (!text) return [];
    const previous = validateCluster(JSON.parse(text));
    return previous.ok ? refusedChanges(previous.value.spec, cluster.spec) : [];
  }

  private async applyStatefulSet(key: string, owner: Owned, cluster: MySQLCluster, saved: ClusterState | undefined, apply: (o: KubeObject) => Promise<void>): Promise<void> {
    const primary = this.ha.get(key)?.state.primary ?? saved?.primary ?? null;
    const sts = statefulSet(owner, cluster, { image: this.deps.image });
    sts.spec.replicas = statefulSetReplicas(cluster.spec.replicas, primary);
    await apply(sts);
    if (primaryMustMove(cluster.spec.replicas, primary)) {
      const target = this.healthyReplicas(key).find((o) => o < cluster.spec.replicas);
      if (target === undefined) throw new PhaseError(`scaling down to ${cluster.spec.replicas} waits for a healthy replica below ordinal ${cluster.spec.replicas} to take over from primary ${primary}`);
      this.switchover(key, { ...CLUSTER_API, name: owner.name, namespace: owner.namespace }, target, 'ScaleDown');
    }
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
    const h = new ClusterHa(
      { ...this.deps, tickMs: this.deps.tickMs ?? 500 },
      ref, cluster, saved, { operator: secret.operator, replication: secret.replication, agentToken: secret['agent-token'] },
      () => this.deps.enqueue?.(key),
    );
    this.ha.set(key, h);
    h.loop.start();
    this.deps.log.info({ cluster: key, primary: h.state.primary }, 'HA loop started');
  }

  /** One step of a rolling restart per run; returns what it is doing, or undefined when done. */
  private async rollout(key: string, owner: Owned, cluster: MySQLCluster): Promise<string | undefined> {
    const h = this.ha.get(key);
    const sts = this.deps.statefulSets.get(`${owner.namespace}/${owner.name}`) as (KubeObject & { status?: { updateRevision?: string } }) | undefined;
    const revision = sts?.status?.updateRevision;
    const summary = h?.loop.summary();
    if (!h || !revision || !summary) return undefined;
    const pods = clusterPods(this.deps.pods, owner);
    const instances: RolloutInstance[] = Array.from({ length: cluster.spec.replicas }, (_, o) => {
      const p = pods.get(o);
      return {
        ordinal: o,
        present: !!p && !p.metadata?.deletionTimestamp,
        updated: p?.metadata?.labels?.['controller-revision-hash'] === revision,
        ready: summary.instances.find((i) => i.ordinal === o)?.ready ?? false,
      };
    });
    const step = nextRolloutStep(instances, h.state.primary, !!h.state.operation || this.switching.has(key));
    const ref = { ...CLUSTER_API, name: owner.name, namespace: owner.namespace };
    switch (step.kind) {
      case 'done':
        return undefined;
      case 'wait':
        return `rolling update: ${step.reason}`;
      case 'switchover':
        this.switchover(key, ref, step.to, 'RollingUpdate');
        return `rolling update: switching over to ${step.to} before restarting primary ${h.state.primary}`;
      case 'restart':
        await this.deps.applier.delete({ apiVersion: 'v1', kind: 'Pod', name: namesOf(owner.name, owner.namespace).pod(step.ordinal), namespace: owner.namespace });
        void this.deps.events.normal(ref, 'RollingRestart', `restarting instance ${step.ordinal} with the new revision ${revision}`);
        return `rolling update: restarting instance ${step.ordinal}`;
    }
  }

  /** spec.primaryOrdinal: switch over to it once it is a healthy replica. */
  private preferredPrimary(key: string, ref: ObjectRef, cluster: MySQLCluster): void {
    const h = this.ha.get(key);
    const want = cluster.spec.primaryOrdinal;
    if (want === undefined || !h || h.state.primary === null || h.state.primary === want || h.state.operation) return;
    if (!this.healthyReplicas(key).includes(want)) return;
    this.switchover(key, ref, want, 'PreferredPrimary');
  }

  /**
   * `ordinal rebuild NAME N` sets the annotation: instance N's claim and pod are deleted and it
   * is cloned again (what clears a quarantine). The annotation goes once that has finished.
   */
  private requestedRebuild(key: string, ref: ObjectRef & { namespace: string }, value: string | undefined): void {
    const h = this.ha.get(key);
    if (value === undefined || !h || this.rebuilding.has(key)) return;
    const ordinal = Number(value);
    type Outcome = ['Normal' | 'Warning', string, string];
    const outcome: Promise<Outcome> = Number.isInteger(ordinal) && ordinal >= 0
      ? h.loop.rebuild(ordinal).then((): Outcome => ['Normal', 'Rebuilt', `instance ${ordinal} was cloned again`], (err: Error): Outcome => ['Warning', 'RebuildFailed', err.message])
      : Promise.resolve(['Warning', 'RebuildFailed', `annotation ${REBUILD_ANNOTATION}: "${value}" is not an instance ordinal`]);
    // Reported once, then the request is cleared whatever came of it.
    const p = outcome
      .then(([type, reason, message]) => {
        void this.deps.events.record(ref, type, reason, message);
        return this.deps.applier.mergePatch(ref, { metadata: { annotations: { [REBUILD_ANNOTATION]: null } } });
      })
      .catch((err: Error) => this.deps.log.warn({ cluster: key, err: describeError(err) }, 'rebuild annotation not cleared'))
      .finally(() => this.rebuilding.delete(key));
    this.rebuilding.set(key, p);
  }

  /** Ask the loop for a switchover unless one the controller asked for is still running. */
  private switchover(key: string, ref: ObjectRef, to: number, why: string): void {
    const h = this.ha.get(key);
    if (!h || this.switching.has(key)) return;
    this.deps.log.info({ cluster: key, to, why }, 'switchover requested');
    const p = h.loop.switchover(to, 60_000)
      .catch((err: Error) => void this.deps.events.warning(ref, 'SwitchoverFailed', `${why}: ${err.message}`))
      .finally(() => this.switching.delete(key));
    this.switching.set(key, p);
  }

  private healthyReplicas(key: string): number[] {
    const h = this.ha.get(key);
    return (h?.loop.summary()?.instances ?? []).filter((i) => i.ready && i.role === 'replica').map((i) => i.ordinal);
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
