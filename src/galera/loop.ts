// The Galera HA loop: observe every node, decide how the cluster reaches (or keeps) a
// Primary component, route the endpoints to synced nodes only, and keep the write node on
// one of them. The decisions are pure (recovery.ts, node-state.ts, write-node.ts); this
// file does the I/O around them. The platform starts servers; before it does it asks
// plan(), storedPosition(), clusterPosition() and isMember() (galera/start.ts decides).
import type { ClusterSpec } from '../api/cluster.js';
import type { Credentials, Endpoint } from '../db/connection.js';
import type { ClusterEvent } from '../clustering/platform.js';
import type { Logger } from '../clustering/operations.js';
import type { ClusterState } from '../clustering/types.js';
import { mayServe, stateName, type NodeStatus } from './node-state.js';
import { promoteToPrimary, readNodeStatus } from './observe.js';
import { formatPosition, type Position } from './position.js';
import { planRecovery, stuckDisconnected, type NodeFacts, type RecoveryPlan } from './recovery.js';
import type { StoredPosition } from './stored-position.js';
import { chooseWriteNode, switchoverRefusal } from './write-node.js';

/** A stopped node's position that could not be read is read again after this long (a person may have fixed it). */
const RETRY_STORED_MS = 5000;

export interface GaleraNode {
  ordinal: number;
  endpoint: Endpoint;
  /** How the others list it in wsrep_incoming_addresses (its client address), when not `endpoint`. */
  memberAddress?: string;
  running: boolean;
}

export interface GaleraRoutes {
  /** The one node that takes the read-write endpoint's writes. */
  readWrite: number | null;
  /** Every node that may serve: for applications that write anywhere (and retry conflicts). */
  readWriteAll: number[];
  /** Reads: the serving nodes other than the write node (or it alone). */
  readOnly: number[];
}

export interface GaleraPlatform {
  nodes(): Promise<GaleraNode[]>;
  credentials(): Credentials;
  /** A stopped node's position from its data; throws when it cannot be read. */
  storedPosition(ordinal: number): Promise<StoredPosition>;
  /** Stop its server cleanly; it starts again as the plan then says. */
  stopNode(ordinal: number): Promise<void>;
  route(routes: GaleraRoutes): Promise<void>;
  saveState(state: ClusterState): Promise<void>;
  event(e: ClusterEvent): void;
}

/** Running nodes without a Primary component for this long lost their quorum for good. */
const NO_PRIMARY_GRACE_MS = 10_000;

export function galeraPolicy(spec: ClusterSpec): GaleraPolicy {
  return { replicas: spec.replicas, availableWhenDonor: spec.galera.availableWhenDonor, graceMs: NO_PRIMARY_GRACE_MS };
}

export interface GaleraPolicy {
  replicas: number;
  availableWhenDonor: boolean;
  /** How long running nodes may stay without a Primary component before recovery acts. */
  graceMs: number;
}

/** A node's wsrep state as a person reads it (`status`: instances[].galera). */
export interface GaleraNodeState {
  state: string;
  clusterStatus: string | null;
  localState: number | null;
  seqno: number | null;
  clusterSize: number | null;
  flowControlPaused: number | null;
  recvQueue: number | null;
  /** A stopped node's position, as its data tells it. */
  storedPosition?: string | null;
}

export interface GaleraNodeSummary extends GaleraNodeState {
  ordinal: number;
  role: 'writer' | 'node';
  ready: boolean;
  reachable: boolean;
  message?: string;
}

export interface GaleraSummary {
  phase: 'Creating' | 'Running' | 'Degraded' | 'Recovering' | 'Unavailable';
  writer: number | null;
  clusterSize: number;
  plan: RecoveryPlan;
  nodes: GaleraNodeSummary[];
  observedAt: number;
}

export interface GaleraLoopHooks {
  /** After every tick (the operator offers start decisions to waiting pods here). */
  onTick?: (summary: GaleraSummary | undefined) => Promise<void> | void;
  /** False while this process may not act (it lost its Lease): no tick runs. */
  mayAct?: () => boolean;
}

export class GaleraLoop {
  private stopped = false;
  private wakeUp?: () => void;
  private running?: Promise<void>;
  private latest?: GaleraSummary;
  private currentPlan: RecoveryPlan = { kind: 'wait', why: 'not observed yet' };
  private statuses = new Map<number, NodeStatus>();
  private memberAddresses = new Map<number, string>();
  /** Since when each running node answers Disconnected (its group communication closed). */
  private disconnectedSince = new Map<number, number>();
  /** Stopped nodes' positions; forgotten when the node runs again. A failed read is retried. */
  private stored = new Map<number, StoredPosition | { error: string; at: number }>();
  private noPrimarySince?: number;
  private forced?: number;
  private requestedWriter?: number;
  private promoting?: number;

  constructor(
    private readonly platform: GaleraPlatform,
    private policy: GaleraPolicy,
    private readonly state: ClusterState,
    private readonly log: Logger,
    private readonly tickMs = 250,
    private readonly hooks: GaleraLoopHooks = {},
  ) {}

  setPolicy(policy: GaleraPolicy): void {
    this.policy = policy;
  }

  start(): void {
    this.running ??= (async () => {
      while (!this.stopped) {
        try {
          if (this.hooks.mayAct?.() ?? true) {
            await this.tick();
            await this.hooks.onTick?.(this.latest);
          }
        } catch (err) {
          this.log.error({ err: (err as Error).message }, 'galera tick failed');
        }
        await new Promise<void>((r) => {
          const t = setTimeout(() => this.wakeUp?.(), this.tickMs);
          this.wakeUp = () => { clearTimeout(t); this.wakeUp = undefined; r(); };
        });
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.running;
  }

  /** Look again now (a pod changed). */
  wake(): void {
    this.wakeUp?.();
  }

  plan(): RecoveryPlan {
    return this.currentPlan;
  }

  summary(): GaleraSummary | undefined {
    return this.latest;
  }

  /** A stopped node's known position (for a join that must not overwrite data ahead of the cluster). */
  storedPosition(ordinal: number): StoredPosition | undefined {
    const s = this.stored.get(ordinal);
    return s && 'position' in s ? s : undefined;
  }

  /** The Primary component's position: where a joiner's data is compared. */
  clusterPosition(): Position | undefined {
    const primary = [...this.statuses.values()].filter((s) => s.clusterStatus === 'Primary');
    if (!primary.length) return undefined;
    const best = primary.reduce((a, b) => (b.lastCommitted > a.lastCommitted ? b : a));
    return { uuid: best.uuid, seqno: best.lastCommitted };
  }

  /** Whether the Primary component counts this node (by its client address) as a member. */
  isMember(ordinal: number): boolean {
    const address = this.memberAddresses.get(ordinal);
    if (!address) return false;
    return [...this.statuses.values()].some((s) => s.clusterStatus === 'Primary' && s.members.includes(address));
  }

  /** The platform started a node: its stored position is stale from now on. */
  started(ordinal: number): void {
    this.stored.delete(ordinal);
  }

  /** `recover --from N`: bootstrap from this node the next time no Primary component exists. */
  forceRecoveryFrom(ordinal: number): void {
    const refusal = this.clusterPosition() ? 'the cluster has a Primary component; nothing to recover' : undefined;
    if (refusal) throw new Error(refusal);
    this.forced = ordinal;
    this.platform.event({ type: 'Warning', reason: 'RecoveryForced', message: `a person chose node ${ordinal} to bootstrap the cluster from` });
  }

  /** Move the write node; refused (before anything changes) unless the target is synced in the Primary component. */
  async switchover(to: number | undefined): Promise<number> {
    const serving = this.serving();
    const target = to ?? serving.find((o) => o !== this.state.primary);
    if (target === undefined) throw new Error('no other node is synced in the Primary component');
    const refusal = switchoverRefusal(target, this.policy.replicas, serving);
    if (refusal) throw new Error(`switchover refused: ${refusal}`);
    this.requestedWriter = target;
    await this.waitFor(() => this.state.primary === target, 10_000, `node ${target} did not take the writes`);
    return target;
  }

  private serving(): number[] {
    return [...this.statuses.entries()].filter(([, s]) => mayServe(s, this.policy.availableWhenDonor)).map(([o]) => o).sort((a, b) => a - b);
  }

  private async waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(what);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async tick(): Promise<void> {
    const now = Date.now();
    const nodes = await this.platform.nodes();
    const creds = this.platform.credentials();
    const seen = await Promise.all(nodes.map(async (n) => ({ n, status: n.running ? await readNodeStatus(n.endpoint, creds).catch(() => undefined) : undefined })));
    this.statuses = new Map(seen.filter((x) => x.status).map((x) => [x.n.ordinal, x.status!]));
    this.memberAddresses = new Map(nodes.map((n) => [n.ordinal, n.memberAddress ?? `${n.endpoint.host}:${n.endpoint.port}`]));
    for (const { n } of seen) if (n.running) this.stored.delete(n.ordinal);

    const anyPrimary = seen.some((x) => x.status?.clusterStatus === 'Primary');
    if (anyPrimary || !seen.some((x) => x.n.running)) this.noPrimarySince = undefined;
    else this.noPrimarySince ??= now;
    // Stopped nodes with data need their position: to choose a bootstrap node, and before a
    // node whose data may be ahead of the cluster joins it.
    const stale = (o: number) => { const s = this.stored.get(o); return !s || ('error' in s && now - s.at > RETRY_STORED_MS); };
    await Promise.all(seen.filter((x) => !x.n.running && stale(x.n.ordinal)).map(({ n }) => this.readStored(n.ordinal)));

    const facts: NodeFacts[] = seen.map(({ n, status }) => {
      const s = this.stored.get(n.ordinal);
      return {
        ordinal: n.ordinal,
        running: n.running,
        answered: status ? { primary: status.clusterStatus === 'Primary', position: { uuid: status.uuid, seqno: status.lastCommitted } } : undefined,
        stored: n.running ? undefined : s && 'position' in s ? s.position : undefined,
        safeToBootstrap: s && 'position' in s ? s.safeToBootstrap : undefined,
        unknownWhy: s && 'error' in s ? s.error : undefined,
      };
    });
    const plan = planRecovery({
      nodes: facts,
      bootstrapped: !!this.state.galera?.bootstrapped,
      forced: this.forced,
      noPrimaryForMs: this.noPrimarySince === undefined ? 0 : now - this.noPrimarySince,
      graceMs: this.policy.graceMs,
    });
    if (plan.kind !== this.currentPlan.kind || plan.why !== this.currentPlan.why) this.log.info({ plan }, 'galera plan');
    this.currentPlan = plan;
    if (plan.kind === 'bootstrap' && plan.how === 'promote') await this.promote(plan, nodes);
    await this.restartStuck(now, seen, anyPrimary);
    if (anyPrimary) this.forced = undefined;
    if (anyPrimary && !this.state.galera?.bootstrapped) {
      // Recorded once a Primary component exists, not when the first node starts: a first start
      // that fails leaves no data anywhere, and the cluster must be able to start new again.
      this.state.galera = { ...this.state.galera, bootstrapped: true };
      await this.platform.saveState(this.state);
    }

    await this.routeAndRecord(now, seen);
  }

  /** The platform starts the chosen node with --wsrep-new-cluster: record it (a recovery unless the cluster is new). */
  async bootstrapping(ordinal: number, why: string): Promise<void> {
    const first = !this.state.galera?.bootstrapped;
    this.state.galera = { bootstrapped: !first, lastBootstrap: { ordinal, why, at: new Date().toISOString() } };
    if (!first) this.state.recoveries += 1;
    await this.platform.saveState(this.state);
    this.platform.event({ type: first ? 'Normal' : 'Warning', reason: first ? 'Bootstrapping' : 'Recovered', message: `node ${ordinal} bootstraps the cluster: ${why}` });
  }

  /**
   * Make the chosen running node Primary in place. Galera may refuse (a node left half way
   * through a state transfer does): then it is stopped cleanly, and the next plan starts it
   * from its data with --wsrep-new-cluster.
   */
  private async promote(plan: Extract<RecoveryPlan, { kind: 'bootstrap' }>, nodes: GaleraNode[]): Promise<void> {
    if (this.promoting !== undefined) return;
    this.promoting = plan.ordinal;
    try {
      await promoteToPrimary(nodes.find((n) => n.ordinal === plan.ordinal)!.endpoint, this.platform.credentials());
      await this.bootstrapping(plan.ordinal, plan.why);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, ordinal: plan.ordinal }, 'pc.bootstrap refused; stopping the node to start it as a new Primary component');
      await this.platform.stopNode(plan.ordinal).catch((e) => this.log.error({ err: (e as Error).message }, 'stopping the node failed'));
    } finally {
      this.promoting = undefined;
    }
  }

  /** Restart a node that stays Disconnected while a Primary component exists: it joins again. */
  private async restartStuck(now: number, seen: Array<{ n: GaleraNode; status?: NodeStatus }>, anyPrimary: boolean): Promise<void> {
    for (const { n, status } of seen) {
      if (status?.clusterStatus === 'Disconnected') this.disconnectedSince.set(n.ordinal, this.disconnectedSince.get(n.ordinal) ?? now);
      else this.disconnectedSince.delete(n.ordinal);
    }
    const stuck = stuckDisconnected(new Map([...this.disconnectedSince].map(([o, since]) => [o, now - since])), anyPrimary);
    for (const o of stuck) {
      this.disconnectedSince.delete(o);
      this.log.warn({ ordinal: o }, 'node stays Disconnected while a Primary component exists; restarting it so that it joins');
      this.platform.event({ type: 'Warning', reason: 'NodeRestarted', message: `node ${o} stayed disconnected from the cluster; restarting it so that it joins again` });
      await this.platform.stopNode(o).catch((e) => this.log.error({ err: (e as Error).message, ordinal: o }, 'stopping the node failed'));
    }
  }

  private async readStored(ordinal: number): Promise<void> {
    try {
      const s = await this.platform.storedPosition(ordinal);
      this.stored.set(ordinal, s);
      if (s.source === 'wsrep-recover') this.log.info({ ordinal, position: s.position && formatPosition(s.position) }, 'recovered a stopped node\'s position');
    } catch (err) {
      this.stored.set(ordinal, { error: (err as Error).message, at: Date.now() });
    }
  }

  private async routeAndRecord(now: number, seen: Array<{ n: GaleraNode; status?: NodeStatus }>): Promise<void> {
    const serving = this.serving();
    const previous = this.state.primary;
    const requested = this.requestedWriter;
    const choice = chooseWriteNode({ current: previous, serving, requested });
    if (requested !== undefined && (choice.writer === requested || !serving.includes(requested))) this.requestedWriter = undefined;
    if (choice.writer !== previous) {
      this.state.primary = choice.writer;
      if (choice.writer !== null && previous !== null) {
        if (requested === choice.writer) this.state.switchovers += 1;
        else this.state.failovers += 1;
      }
      await this.platform.saveState(this.state);
      this.platform.event({ type: choice.writer === null ? 'Warning' : 'Normal', reason: 'WriteNodeChanged', message: `write node ${previous ?? 'none'} -> ${choice.writer ?? 'none'}: ${choice.why}` });
    }
    const writer = this.state.primary;
    const others = serving.filter((o) => o !== writer);
    await this.platform.route({ readWrite: writer, readWriteAll: serving, readOnly: others.length ? others : serving });

    const nodes = seen.map(({ n, status }): GaleraNodeSummary => {
      const s = this.stored.get(n.ordinal);
      return {
        ordinal: n.ordinal,
        role: n.ordinal === writer ? 'writer' : 'node',
        ready: serving.includes(n.ordinal),
        reachable: !!status,
        state: n.running ? stateName(status) : 'Stopped',
        clusterStatus: status?.clusterStatus ?? null,
        localState: status?.localState ?? null,
        seqno: status?.lastCommitted ?? null,
        clusterSize: status?.clusterSize ?? null,
        flowControlPaused: status?.flowControlPaused ?? null,
        recvQueue: status?.recvQueue ?? null,
        ...(n.running ? {} : { storedPosition: s && 'position' in s ? (s.position ? formatPosition(s.position) : null) : undefined }),
        message: s && 'error' in s ? s.error : undefined,
      };
    });
    const size = Math.max(0, ...seen.map((x) => (x.status?.clusterStatus === 'Primary' ? x.status.clusterSize : 0)));
    const plan = this.currentPlan;
    const phase: GaleraSummary['phase'] = !this.state.galera?.bootstrapped
      ? 'Creating'
      : writer === null
        ? plan.kind === 'bootstrap' ? 'Recovering' : 'Unavailable'
        : serving.length === this.policy.replicas && seen.length === this.policy.replicas ? 'Running' : 'Degraded';
    this.latest = { phase, writer, clusterSize: size, plan, nodes, observedAt: now };
  }
}
