// One Galera loop per MySQLCluster with spec.mode galera, the same GaleraLoop the sandbox runs,
// wired to Kubernetes (platform/kube/galera.ts). To the reconciler's phases it looks like a
// primary-replica HA loop (HaHandle): the write node is the "primary", the other synced nodes
// are healthy "replicas", so rolling updates, scale-down and rebuilds work unchanged.
import { fetchGaleraGate, fetchGaleraPosition } from '../agent/peers.js';
import type { MySQLCluster } from '../api/cluster.js';
import { AGENT_PORT } from '../builders/names.js';
import type { ClusterSummary, InstanceSummary } from '../clustering/summary.js';
import { initialState, type ClusterState } from '../clustering/types.js';
import { GaleraLoop, galeraPolicy, type GaleraNodeState, type GaleraSummary } from '../galera/loop.js';
import type { ObjectRef } from '../kube/types.js';
import { KubeGaleraPlatform } from '../platform/kube/galera.js';
import { kubeAccess, type HaDeps, type HaHandle } from './cluster-ha.js';
import { summaryTrigger } from './triggers.js';

/** What status shows of a Galera cluster beyond the common fields. */
export interface GaleraStatus {
  writer: number | null;
  clusterSize: number;
  plan: string;
  planReason: string;
  lastBootstrap?: { ordinal: number; why: string; at: string };
  nodes: Array<GaleraNodeState & { ordinal: number }>;
}

/** PURE: the Galera summary in the shape the reconciler's phases and the status read. */
export function galeraClusterSummary(g: GaleraSummary | undefined, state: ClusterState): ClusterSummary | undefined {
  if (!g) return undefined;
  const instances = g.nodes.map((n): InstanceSummary => ({
    ordinal: n.ordinal,
    role: n.role === 'writer' ? 'primary' : n.ready ? 'replica' : 'unknown',
    ready: n.ready,
    readOnly: n.reachable ? false : null,
    errant: false,
    reachable: n.reachable,
    lagSeconds: null,
    message: n.message ?? (n.ready ? undefined : n.state),
  }));
  return {
    phase: g.phase,
    primary: g.writer,
    failovers: state.failovers,
    switchovers: state.switchovers,
    instances,
    message: g.plan.kind === 'join' ? undefined : g.plan.why,
    observedAt: g.observedAt,
  };
}

export function galeraStatus(g: GaleraSummary | undefined, state: ClusterState): GaleraStatus | undefined {
  if (!g) return undefined;
  return {
    writer: g.writer,
    clusterSize: g.clusterSize,
    plan: g.plan.kind,
    planReason: g.plan.why,
    ...(state.galera?.lastBootstrap ? { lastBootstrap: state.galera.lastBootstrap } : {}),
    nodes: g.nodes.map(({ role: _r, ready: _ready, reachable: _reach, message: _m, ...node }) => node),
  };
}

export class GaleraHa implements HaHandle {
  readonly galera: GaleraLoop;
  readonly loop: HaHandle['loop'] & { start(): void; stop(): Promise<void>; wake(): void };
  private readonly haState: ClusterState;

  constructor(
    deps: HaDeps,
    ref: ObjectRef & { namespace: string },
    private spec: MySQLCluster['spec'],
    saved: ClusterState | undefined,
    secrets: { operator: string; replication: string; agentToken: string },
    /** The summary changed as the status shows it: the cluster's status needs a write. */
    onChange: () => void = () => {},
  ) {
    const platform = new KubeGaleraPlatform(
      { name: ref.name, namespace: ref.namespace, replicas: () => this.spec.replicas, passwords: { operator: secrets.operator, replication: secrets.replication } },
      {
        ...kubeAccess(deps, ref, secrets.agentToken),
        galeraGate: (ip) => fetchGaleraGate(`${ip}:${AGENT_PORT}`),
        galeraPosition: (ip) => fetchGaleraPosition(`${ip}:${AGENT_PORT}`, secrets.agentToken),
      },
      deps.log,
    );
    this.haState = { ...initialState(), ...saved };
    let shown = '';
    this.galera = new GaleraLoop(platform, galeraPolicy(spec), this.haState, deps.log, deps.tickMs, {
      mayAct: deps.mayAct,
      onTick: () => {
        platform.offerStarts(this.galera);
        const now = summaryTrigger(this.summary());
        if (now === shown) return;
        shown = now;
        onChange();
      },
    });
    const g = this.galera;
    this.loop = {
      summary: () => this.summary(),
      switchover: async (to) => void (await g.switchover(to)),
      rebuild: (ordinal) => platform.rebuild(ordinal),
      start: () => g.start(),
      stop: () => g.stop(),
      wake: () => g.wake(),
    };
  }

  get state(): ClusterState {
    return this.haState;
  }

  update(cluster: MySQLCluster): void {
    this.spec = cluster.spec;
    this.galera.setPolicy(galeraPolicy(cluster.spec));
  }

  summary(): ClusterSummary | undefined {
    return galeraClusterSummary(this.galera.summary(), this.haState);
  }

  status(): GaleraStatus | undefined {
    return galeraStatus(this.galera.summary(), this.haState);
  }
}
