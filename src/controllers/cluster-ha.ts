// One HA loop per MySQLCluster, the same ClusterLoop the sandbox runs, wired to Kubernetes:
// pods from the informer, status.ha as the saved state, and every write (labels, deletes,
// status.ha, endpoints) through the Applier, which refuses them once the Lease is lost.
import { postStartMode } from '../agent/peers.js';
import { AGENT_PORT } from '../builders/names.js';
import type { MySQLCluster } from '../api/cluster.js';
import { faultInjection } from '../clustering/fault.js';
import { ClusterLoop } from '../clustering/loop.js';
import type { Logger } from '../clustering/operations.js';
import { policyFrom } from '../clustering/policy.js';
import { initialState, type ClusterState } from '../clustering/types.js';
import type { Applier } from '../kube/apply.js';
import type { Discovery } from '../kube/discovery.js';
import { Counter } from 'prom-client';
import { metricsRegistry } from '../kube/health.js';
import { primaryEndpoints, type SliceApiVersion } from '../builders/endpoints.js';
import type { EventRecorder } from '../kube/events.js';
import type { ObjectCache } from '../kube/informer.js';
import type { ObjectRef } from '../kube/types.js';
import { KubePlatform, type KubeAccess } from '../platform/kube/platform.js';
import { summaryTrigger } from './triggers.js';
import { operationEnded } from './cluster-metrics.js';
import type { PodView } from '../platform/kube/pods.js';

/** Ticks per cluster: a loop that stopped looking shows as a flat line. */
const ticks = new Counter({ name: 'ordinal_ha_ticks_total', help: 'HA loop ticks (observations of every instance) per cluster', labelNames: ['namespace', 'cluster'], registers: [metricsRegistry] });

export interface HaDeps {
  applier: Applier;
  discovery: Discovery;
  events: EventRecorder;
  pods: ObjectCache;
  claims: ObjectCache;
  log: Logger;
  tickMs: number;
  mayAct?: () => boolean;
}

/** What the reconciler's phases use of a cluster's HA loop (a ClusterHa; a fake in tests). */
export interface HaHandle {
  readonly state: ClusterState;
  readonly loop: Pick<ClusterLoop, 'summary' | 'switchover' | 'rebuild'>;
}

export class ClusterHa implements HaHandle {
  readonly loop: ClusterLoop;
  private spec: MySQLCluster['spec'];

  constructor(
    private readonly deps: HaDeps,
    private readonly ref: ObjectRef & { namespace: string },
    cluster: MySQLCluster,
    saved: ClusterState | undefined,
    secrets: { operator: string; replication: string; agentToken: string },
    /** The summary changed as the status shows it: the cluster's status needs a write. */
    onChange: () => void = () => {},
  ) {
    let shown = '';
    let operation: ClusterState['operation'];
    this.spec = cluster.spec;
    const platform = new KubePlatform(
      { name: ref.name, namespace: ref.namespace, replicas: () => this.spec.replicas, passwords: { operator: secrets.operator, replication: secrets.replication } },
      kubeAccess(deps, ref, secrets.agentToken),
      deps.log,
    );
    const state = { ...initialState(), ...saved };
    this.loop = new ClusterLoop(platform, policyFrom(cluster.spec), state, deps.log, {
      tickMs: deps.tickMs,
      observeDeadlineMs: 1500,
      fault: faultInjection(deps.log),
      mayAct: deps.mayAct,
      onTick: (summary) => {
        ticks.inc({ namespace: ref.namespace, cluster: ref.name });
        const current = this.loop.state.operation;
        if (operation && current?.startedAt !== operation.startedAt) operationEnded(ref.namespace, ref.name, operation.kind, (Date.now() - operation.startedAt) / 1000);
        operation = current;
        const trigger = summaryTrigger(summary);
        if (trigger === shown) return;
        shown = trigger;
        onChange();
      },
    });
  }

  update(cluster: MySQLCluster): void {
    this.spec = cluster.spec;
    this.loop.setPolicy(policyFrom(cluster.spec));
  }

  get state(): ClusterState {
    return this.loop.state;
  }
}

/** The API server as a cluster's HA platform sees it; every write goes through the Applier. */
export function kubeAccess(deps: HaDeps, ref: ObjectRef & { namespace: string }, agentToken: string): KubeAccess {
  const { applier, events, pods } = deps;
  const ns = ref.namespace;
  const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', name, namespace: ns });
  const claim = (name: string) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name, namespace: ns });
  return {
    pods: () => pods.list().filter((p) => p.metadata?.namespace === ns) as PodView[],
    patchPodLabels: (name, labels) => applier.mergePatch(pod(name), { metadata: { labels } }, 5000),
    // A fence must not hang on a slow API server: 5 s, then the loop retries.
    deletePod: async (name, gracePeriodSeconds) => void (await applier.delete(pod(name), 'Background', { gracePeriodSeconds, timeoutMs: 5000 })),
    claimUid: async (name) => deps.claims.get(`${ns}/${name}`)?.metadata?.uid,
    deleteClaim: async (name) => void (await applier.delete(claim(name))),
    writeHaState: async (state) => {
      // Replace status.ha whole: a merge patch would keep keys the state no longer has
      // (a finished operation, a cleared quarantine).
      const add = (path: string, value: unknown) => applier.jsonPatchStatus(ref, [{ op: 'add', path, value }], 5000);
      try {
        await add('/status/ha', state);
      } catch (err) {
        // No status yet: there is nothing else in it to keep.
        await add('/status', { ha: state }).catch(() => { throw err; });
      }
    },
    writePrimaryEndpoints: async (primary) => {
      const version = await deps.discovery.preferred('EndpointSlice', ['discovery.k8s.io/v1', 'discovery.k8s.io/v1beta1']);
      if (!version) throw new Error('the server serves no EndpointSlice API');
      const owner = { name: ref.name, namespace: ns, uid: ref.uid ?? '' };
      // Together: kube-proxy reads the slice, older readers the Endpoints; neither waits on the other.
      await Promise.all(primaryEndpoints(owner, primary, version as SliceApiVersion).map((obj) => applier.apply(obj)));
    },
    postStartMode: (podIP, decision) => postStartMode(`${podIP}:${AGENT_PORT}`, decision, agentToken),
    event: (e) => void events.record(ref, e.type, e.reason, e.message),
  };
}
