// A stand-in for a cluster's HA loop (HaHandle) in the controllers' unit tests: the state and
// instances a test sets, and the switchovers and rebuilds asked of it, each pending until the
// test ends it.
import type { HaHandle } from '../../src/controllers/cluster-ha.js';
import type { ClusterSummary, InstanceSummary } from '../../src/clustering/summary.js';
import type { ClusterState } from '../../src/clustering/types.js';
import { clusterState } from './fixtures.js';

export class FakeHa implements HaHandle {
  state: ClusterState;
  instances: InstanceSummary[];
  /** What was asked, in order: `switchover 1`, `rebuild 2`. */
  readonly asked: string[] = [];
  private readonly pending: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];

  /** `replicas` instances, all ready unless listed in `unready`; `primary` is the primary. */
  constructor(o: { primary?: number | null; replicas?: number; unready?: number[] } = {}) {
    const primary = o.primary === undefined ? 0 : o.primary;
    this.state = clusterState({ primary });
    this.instances = Array.from({ length: o.replicas ?? 3 }, (_, ordinal) => ({
      ordinal, role: ordinal === primary ? 'primary' : 'replica', ready: !o.unready?.includes(ordinal),
      readOnly: ordinal !== primary, errant: false, reachable: true, lagSeconds: 0,
    }));
  }

  readonly loop = {
    summary: (): ClusterSummary => ({ phase: 'Running', primary: this.state.primary, failovers: 0, switchovers: 0, instances: this.instances, observedAt: 0 }),
    switchover: (to: number | undefined) => this.ask(`switchover ${to}`),
    rebuild: (ordinal: number) => this.ask(`rebuild ${ordinal}`),
  };

  /** Ends the oldest request still pending: done, or failed with `error`. */
  finish(error?: string): void {
    const p = this.pending.shift();
    if (!p) throw new Error('nothing pending');
    if (error === undefined) p.resolve();
    else p.reject(new Error(error));
  }

  private ask(what: string): Promise<void> {
    this.asked.push(what);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
}

/** Lets every promise chain that is already resolved run to its end. */
export const settle = () => new Promise((r) => setImmediate(r));
