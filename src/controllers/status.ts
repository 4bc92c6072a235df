// PURE: the MySQLCluster's status as a person reads it (`kubectl get myc`, conditions), from
// the HA loop's summary and from where reconciling stopped. status.ha is the loop's, not this.
import { selectorLabels } from '../builders/names.js';
import type { ClusterSummary, InstanceSummary } from '../clustering/summary.js';
import type { FieldError } from '../api/validate.js';
import { setCondition, type Condition } from '../kube/conditions.js';
import type { ArchiveView } from '../agent/archive.js';
import type { GaleraStatus } from './galera-ha.js';

export interface StatusInput {
  name: string;
  generation: number;
  replicas: number;
  summary?: ClusterSummary;
  previous?: Condition[];
  /** The spec was refused (schema or refused change): nothing of this generation applied. */
  refused?: FieldError[];
  /** The reconcile phase that failed, and why. */
  failedPhase?: { phase: string; message: string };
  /** What a rolling restart is doing, if one is under way. */
  rollout?: string;
  /** spec.pitr: the archive as the primary's agent reports it, or why it could not be asked. */
  archive?: ArchiveView | { error: string };
  /** spec.mode galera: the nodes' wsrep state, the write node, the recovery plan. */
  galera?: GaleraStatus;
  now: Date;
}

export interface ClusterStatus {
  observedGeneration: number;
  phase: string;
  primary: number | null;
  ready: string;
  readyReplicas: number;
  replicas: number;
  selector: string;
  failovers: number;
  switchovers: number;
  instances: InstanceSummary[];
  message: string;
  conditions: Condition[];
  galera?: GaleraStatus;
  pitr?: { location?: string; lastRecoverableTime?: string; continuous?: boolean; segments?: number; error?: string };
}

export function clusterStatus(input: StatusInput): ClusterStatus {
  const { summary, generation: g } = input;
  const instances = summary?.instances ?? [];
  const readyReplicas = instances.filter((i) => i.ready).length;
  const phase = input.refused ? 'Refused' : summary?.phase ?? 'Creating';
  const quarantined = instances.filter((i) => i.errant).map((i) => i.ordinal);
  const available = !!summary && (summary.phase === 'Running' || summary.phase === 'Degraded');

  const message = input.refused
    ? `spec refused: ${input.refused.map((e) => `${e.path} ${e.message}`).join('; ')}`
    : input.failedPhase
      ? `${input.failedPhase.phase}: ${input.failedPhase.message}`
      : input.rollout ?? summary?.message ?? '';

  let ready: Pick<Condition, 'status' | 'reason' | 'message'>;
  if (input.refused) ready = { status: 'False', reason: 'SpecRefused', message };
  else if (input.failedPhase) ready = { status: 'False', reason: `${input.failedPhase.phase}Failed`, message };
  else if (summary?.phase === 'Running' && !input.rollout) ready = { status: 'True', reason: 'AllInstancesReady', message: `${readyReplicas}/${input.replicas} instances ready` };
  else ready = { status: 'False', reason: input.rollout ? 'RollingUpdate' : summary?.phase ?? 'Creating', message: message || `${readyReplicas}/${input.replicas} instances ready` };

  let conditions = setCondition(input.previous, { type: 'Ready', ...ready, observedGeneration: g }, input.now);
  conditions = setCondition(conditions, available
    ? { type: 'Available', status: 'True', reason: 'PrimaryWritable', message: `instance ${summary!.primary} is the writable primary`, observedGeneration: g }
    : { type: 'Available', status: 'False', reason: summary?.phase ?? 'Creating', message: summary?.message ?? 'no writable primary yet', observedGeneration: g }, input.now);
  const degraded = !!summary && summary.phase !== 'Creating' && (readyReplicas < input.replicas || quarantined.length > 0);
  conditions = setCondition(conditions, degraded
    ? { type: 'Degraded', status: 'True', reason: quarantined.length ? 'ErrantInstances' : 'InstancesNotReady', message: quarantined.length ? `quarantined (errant transactions): ${quarantined.join(', ')}` : `${readyReplicas}/${input.replicas} instances ready`, observedGeneration: g }
    : { type: 'Degraded', status: 'False', reason: 'AsExpected', message: '', observedGeneration: g }, input.now);

  const a = input.archive;
  if (a) {
    // A gap is a condition people see now, not a surprise at restore time.
    const continuity = 'error' in a && !('continuous' in a)
      ? { status: 'Unknown' as const, reason: 'ArchiveUnreachable', message: a.error }
      : (a as ArchiveView).continuous
        ? { status: 'True' as const, reason: 'Continuous', message: `recoverable until ${(a as ArchiveView).lastRecoverableTime ?? '(nothing archived yet)'}` }
        : { status: 'False' as const, reason: 'ArchiveGap', message: 'the archive misses transactions: restores are possible only up to the gap; take a backup to start a new chain' };
    conditions = setCondition(conditions, { type: 'ArchiveContinuous', ...continuity, observedGeneration: g }, input.now);
  }

  return {
    observedGeneration: g,
    phase,
    primary: summary?.primary ?? null,
    ready: `${readyReplicas}/${input.replicas}`,
    readyReplicas,
    replicas: instances.length,
    selector: Object.entries(selectorLabels(input.name)).map(([k, v]) => `${k}=${v}`).join(','),
    failovers: summary?.failovers ?? 0,
    switchovers: summary?.switchovers ?? 0,
    instances,
    message,
    conditions,
    ...(input.galera ? { galera: input.galera } : {}),
    ...(a ? { pitr: 'location' in a ? { location: a.location, lastRecoverableTime: a.lastRecoverableTime, continuous: a.continuous, segments: a.segments, ...(a.error ? { error: a.error } : {}) } : { error: a.error } } : {}),
  };
}
