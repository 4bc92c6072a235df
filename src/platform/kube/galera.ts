// The Galera loop's world on Kubernetes: nodes are the StatefulSet's pods, a node "runs"
// once its mysql container has left the start gate, a stopped node's position comes from
// its agent, and the routes are the same role labels and read-write endpoints as for
// primary-replica clusters (KubePlatform does both). Pods start only on the operator's word:
// after every tick, each pod waiting at its gate gets the start step the plan allows.
import type { StartDecision } from '../../agent/start-gate.js';
import { MYSQL_PORT, namesOf } from '../../builders/names.js';
import type { ClusterEvent } from '../../clustering/platform.js';
import type { ClusterState } from '../../clustering/types.js';
import type { Credentials } from '../../db/connection.js';
import type { Logger } from '../../clustering/operations.js';
import type { GaleraLoop, GaleraNode, GaleraPlatform, GaleraRoutes } from '../../galera/loop.js';
import type { Position } from '../../galera/position.js';
import type { RecoveryPlan } from '../../galera/recovery.js';
import { startStep } from '../../galera/start.js';
import type { StoredPosition } from '../../galera/stored-position.js';
import { KubePlatform, type KubeAccess, type KubePlatformOptions } from './platform.js';
import { podsByOrdinal, serverRunKey, type PodView } from './pods.js';

export interface KubeGaleraAccess extends KubeAccess {
  /** Whether the pod's mysql container waits at its start gate (its server is down). */
  galeraGate(podIP: string): Promise<boolean>;
  /** A waiting pod's position from its data. */
  galeraPosition(podIP: string): Promise<StoredPosition>;
}

/**
 * PURE: the word for one pod waiting at its gate. Node 0 of a new cluster is initialized by
 * its agent first; the other steps are galera/start.ts's.
 */
export function galeraStartDecision(plan: RecoveryPlan, n: { ordinal: number; stored?: StoredPosition; cluster?: Position; stillMember: boolean }): StartDecision {
  if (!n.stored) return { mode: 'hold', why: 'reading its position before it starts' };
  const initialize = plan.kind === 'new' && n.ordinal === 0 && !n.stored.hasData;
  const step = startStep(plan, { ordinal: n.ordinal, hasData: n.stored.hasData || initialize, stored: n.stored.position, cluster: n.cluster, stillMember: n.stillMember });
  if (step.kind === 'hold') return { mode: 'hold', why: step.why };
  return {
    mode: 'keep',
    why: step.why,
    ...(step.args.length ? { args: step.args } : {}),
    ...(initialize ? { initialize: true } : {}),
    ...(step.bootstrap ? { bootstrap: true } : {}),
    ...(step.keepDataAside ? { keepDataAside: true } : {}),
  };
}

export class KubeGaleraPlatform implements GaleraPlatform {
  private readonly routing: KubePlatform;
  private readonly names;
  /** Pods seen waiting at their gate in the last nodes(), by ordinal (IP and run of the container). */
  private waiting = new Map<number, { ip: string; run: string }>();
  private offering = new Set<number>();

  constructor(
    private readonly opts: KubePlatformOptions,
    private readonly kube: KubeGaleraAccess,
    private readonly log: Logger,
  ) {
    this.routing = new KubePlatform(opts, kube, log);
    this.names = namesOf(opts.name, opts.namespace);
  }

  private pods(): Map<number, PodView> {
    return podsByOrdinal(this.opts.name, this.kube.pods());
  }

  async nodes(): Promise<GaleraNode[]> {
    const pods = this.pods();
    const count = Math.max(this.opts.replicas(), ...[...pods.keys()].map((o) => o + 1));
    const waiting = new Map<number, { ip: string; run: string }>();
    const nodes = await Promise.all(Array.from({ length: count }, async (_, o): Promise<GaleraNode> => {
      const pod = pods.get(o);
      const ip = pod?.status?.podIP;
      const endpoint = { host: ip ?? this.names.host(o), port: MYSQL_PORT };
      // Its wsrep_node_incoming_address, as the agent names it (agent/config.ts host).
      const memberAddress = `${this.names.pod(o)}.${this.names.headless}:${MYSQL_PORT}`;
      const mysql = pod?.status?.containerStatuses?.find((c) => c.name === 'mysql');
      if (!pod || !ip || !mysql?.state?.running) return { ordinal: o, endpoint, memberAddress, running: false };
      // The container runs from the start gate on; its server runs once the gate let it go.
      // An agent that does not answer counts as running: the loop then waits, never guesses.
      const atGate = await this.kube.galeraGate(ip).catch(() => false);
      if (atGate && !pod.metadata?.deletionTimestamp) waiting.set(o, { ip, run: serverRunKey(pod) });
      return { ordinal: o, endpoint, memberAddress, running: !atGate };
    }));
    this.waiting = waiting;
    return nodes;
  }

  credentials(): Credentials {
    return this.routing.operatorCredentials();
  }

  async storedPosition(ordinal: number): Promise<StoredPosition> {
    const ip = this.pods().get(ordinal)?.status?.podIP;
    if (!ip) throw new Error(`pod ${this.names.pod(ordinal)} does not exist or has no IP yet`);
    return this.kube.galeraPosition(ip);
  }

  /** A clean stop: the pod is deleted with its grace period (mariadbd gets SIGTERM) and comes back at its gate. */
  async stopNode(ordinal: number): Promise<void> {
    await this.kube.deletePod(this.names.pod(ordinal), 60);
  }

  async route(routes: GaleraRoutes): Promise<void> {
    await this.routing.route(routes);
  }

  /** The rebuild annotation: the claim and the pod go, and the node joins again empty (a full copy). */
  rebuild(ordinal: number): Promise<void> {
    return this.routing.rebuild(ordinal);
  }

  async saveState(state: ClusterState): Promise<void> {
    await this.kube.writeHaState(state);
  }

  event(e: ClusterEvent): void {
    this.routing.event(e);
  }

  /** After a tick: every pod waiting at its gate gets the plan's word (one request per pod at a time). */
  offerStarts(loop: GaleraLoop): void {
    for (const [o, { ip, run }] of this.waiting) {
      if (this.offering.has(o)) continue;
      const plan = loop.plan();
      const decision = galeraStartDecision(plan, { ordinal: o, stored: loop.storedPosition(o), cluster: loop.clusterPosition(), stillMember: loop.isMember(o) });
      this.offering.add(o);
      this.kube.postStartMode(ip, decision).then(
        async (answered) => {
          if (answered === 0 || decision.mode === 'hold') return;
          loop.started(o);
          this.waiting.delete(o);
          this.log.info({ pod: this.names.pod(o), run, decision }, 'galera start given');
          if (decision.bootstrap) await loop.bootstrapping(o, plan.why);
          if (decision.keepDataAside) this.event({ type: 'Warning', reason: 'DataKeptAside', message: `node ${o}: ${decision.why}; its agent renamed the data dir to data.kept-TIME on the volume` });
        },
        // The agent may not listen yet; the next tick offers again.
        () => {},
      ).finally(() => this.offering.delete(o));
    }
  }
}
