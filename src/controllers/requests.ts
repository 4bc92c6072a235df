// Requests the reconciler makes of a cluster's HA loop: switchovers (spec.primaryOrdinal, a
// scale-down past the primary, the rolling update's last step) and rebuilds (the annotation
// `ordinal rebuild` sets). The loop carries them out over its own ticks; this keeps one
// switchover and one rebuild per cluster in flight and reports how each ended. Galera clusters
// also take the recover-from annotation (the node to bootstrap from).
import { REBUILD_ANNOTATION, RECOVER_ANNOTATION, type MySQLCluster } from '../api/cluster.js';
import { parseOrdinal } from '../builders/names.js';
import type { Logger } from '../clustering/operations.js';
import type { Applier } from '../kube/apply.js';
import { describeError } from '../kube/client.js';
import type { EventRecorder } from '../kube/events.js';
import { objectKey, type ObjectRef } from '../kube/types.js';
import type { HaHandle } from './cluster-ha.js';
import type { GaleraHa } from './galera-ha.js';
import { PhaseError } from './phase-error.js';
import { primaryMustMove } from './scale.js';

export interface RequestsDeps {
  applier: Pick<Applier, 'mergePatch'>;
  events: Pick<EventRecorder, 'warning' | 'record'>;
  log: Logger;
}

/** A switchover gets this long before the loop gives it up (and says why). */
const SWITCHOVER_TIMEOUT_MS = 60_000;

export class ClusterRequests {
  /** Switchovers asked for and not seen to finish, by cluster. */
  private readonly switching = new Map<string, Promise<void>>();
  private readonly rebuilding = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: RequestsDeps) {}

  switchingOver(ref: ObjectRef): boolean {
    return this.switching.has(keyOf(ref));
  }

  /** Ask the loop for a switchover unless one asked for here is still running. */
  switchover(ref: ObjectRef, ha: HaHandle | undefined, to: number, why: string): void {
    const key = keyOf(ref);
    if (!ha || this.switching.has(key)) return;
    this.deps.log.info({ cluster: key, to, why }, 'switchover requested');
    const p = ha.loop.switchover(to, SWITCHOVER_TIMEOUT_MS)
      .catch((err: Error) => void this.deps.events.warning(ref, 'SwitchoverFailed', `${why}: ${err.message}`))
      .finally(() => this.switching.delete(key));
    this.switching.set(key, p);
  }

  /** Scaling down never removes the primary: its role goes first to a healthy replica that stays. */
  beforeScaleDown(ref: ObjectRef, ha: HaHandle | undefined, replicas: number, primary: number | null): void {
    if (!primaryMustMove(replicas, primary)) return;
    const target = healthyReplicas(ha).find((o) => o < replicas);
    if (target === undefined) throw new PhaseError(`scaling down to ${replicas} waits for a healthy replica below ordinal ${replicas} to take over from primary ${primary}`);
    this.switchover(ref, ha, target, 'ScaleDown');
  }

  /** spec.primaryOrdinal: switch over to it once it is a healthy replica. */
  preferredPrimary(ref: ObjectRef, ha: HaHandle | undefined, cluster: MySQLCluster): void {
    const want = cluster.spec.primaryOrdinal;
    if (want === undefined || !ha || ha.state.primary === null || ha.state.primary === want || ha.state.operation) return;
    if (!healthyReplicas(ha).includes(want)) return;
    this.switchover(ref, ha, want, 'PreferredPrimary');
  }

  /**
   * The rebuild annotation (`value`, an instance ordinal): that instance's claim and pod are
   * deleted and it is cloned again (what clears a quarantine). The annotation goes once that
   * has finished, or at once when it names no instance.
   */
  rebuild(ref: ObjectRef, ha: HaHandle | undefined, value: string | undefined): void {
    const key = keyOf(ref);
    if (value === undefined || !ha || this.rebuilding.has(key)) return;
    const ordinal = parseOrdinal(value);
    type Outcome = ['Normal' | 'Warning', string, string];
    const outcome: Promise<Outcome> = ordinal !== undefined
      ? ha.loop.rebuild(ordinal).then((): Outcome => ['Normal', 'Rebuilt', `instance ${ordinal} was cloned again`], (err: Error): Outcome => ['Warning', 'RebuildFailed', err.message])
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

  /**
   * Galera, the annotation `ordinal.dev/recover-from` (a node's ordinal): bootstrap from that
   * node the next time no Primary component exists, when a person knows better than the
   * highest seqno. Refused while a Primary component exists. Cleared once acted on.
   */
  async recoverFrom(ref: ObjectRef, galera: GaleraHa | undefined, value: string | undefined): Promise<void> {
    if (value === undefined) return;
    const ordinal = parseOrdinal(value);
    // Accepted, the loop records its own Event (RecoveryForced).
    let refusal: string | undefined;
    if (!galera) refusal = 'the cluster is not a Galera cluster';
    else if (ordinal === undefined) refusal = `"${value}" is not a node ordinal`;
    else {
      try {
        galera.galera.forceRecoveryFrom(ordinal);
      } catch (err) {
        refusal = (err as Error).message;
      }
    }
    if (refusal) void this.deps.events.warning(ref, 'RecoverRefused', `annotation ${RECOVER_ANNOTATION}: ${refusal}`);
    await this.deps.applier.mergePatch(ref, { metadata: { annotations: { [RECOVER_ANNOTATION]: null } } });
  }
}

function healthyReplicas(ha: HaHandle | undefined): number[] {
  return (ha?.loop.summary()?.instances ?? []).filter((i) => i.ready && i.role === 'replica').map((i) => i.ordinal);
}

const keyOf = (ref: ObjectRef) => objectKey(ref.namespace, ref.name);
