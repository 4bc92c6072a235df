// PURE: what the dashboard's pages show, the same shape for a sandbox cluster and a MySQLCluster,
// and the timeline of a cluster's events with each operation's steps and their timings.
import type { ClusterView, GaleraNodeView } from '../views/cluster-view.js';
import type { LocalStatus } from '../platform/local/status.js';

export interface ClusterEvent {
  time: string;
  type: string;
  reason: string;
  message: string;
}

export interface Endpoint {
  name: string;
  address: string;
  what: string;
}

export interface BackupsView {
  /** Where the schedule's backups go; restore reads from there. */
  location?: string;
  schedule?: string;
  nextRun?: string;
  running?: boolean;
  last?: { id?: string; at: string; ok: boolean; seconds?: number; error?: string; verified?: boolean };
  /** Point-in-time recovery: every transaction before this time can be restored. */
  pitr?: { location?: string; lastRecoverableTime?: string; continuous?: boolean; error?: string };
}

export interface DashboardCluster {
  view: ClusterView;
  endpoints: Endpoint[];
  events: ClusterEvent[];
  backups: BackupsView;
  /** When the last failover ended (its event's time). */
  lastFailover?: string;
  /** When the HA loop last looked at every instance. */
  observedAt?: string;
}

/** A request made from the dashboard, and how it went. */
export interface ActionRecord {
  id: number;
  time: string;
  cluster: string;
  action: string;
  state: 'running' | 'done' | 'failed';
  message: string;
}

/** What the page receives on every change. */
export interface Snapshot {
  where: string;
  clusters: DashboardCluster[];
  actions: ActionRecord[];
  error?: string;
}

export function fromLocalStatus(s: LocalStatus): DashboardCluster {
  const galera = s.mode === 'galera';
  const instances = s.instances.map((i) => ({
    ordinal: i.ordinal,
    role: i.role,
    ready: i.ready,
    readOnly: i.readOnly,
    errant: i.errant,
    lagSeconds: i.lagSeconds,
    ...(i.gtid ? { gtid: i.gtid } : {}),
    ...(i.message ? { message: i.message } : i.provisioning ? { message: `provisioning: ${i.provisioning.what}` } : {}),
  }));
  const nodes: GaleraNodeView[] = s.instances.map((i) => ({
    ordinal: i.ordinal,
    state: i.galera?.state ?? 'unknown',
    seqno: i.galera?.seqno ?? null,
    clusterSize: i.galera?.clusterSize ?? null,
    flowControlPaused: i.galera?.flowControlPaused ?? null,
    recvQueue: i.galera?.recvQueue ?? null,
  }));
  const ready = s.instances.filter((i) => i.ready).length;
  const view: ClusterView = {
    name: s.name,
    namespace: 'sandbox',
    ...(s.mode ? { mode: s.mode } : {}),
    status: {
      phase: s.phase,
      primary: s.primary,
      ready: `${ready}/${s.instances.length}`,
      failovers: s.failovers,
      switchovers: s.switchovers,
      ...(s.message ? { message: s.message } : {}),
      instances,
      ...(galera && s.galera ? { galera: { writer: s.galera.writer, clusterSize: s.galera.clusterSize, plan: s.galera.plan, planReason: '', nodes } } : {}),
    },
  };
  const endpoints: Endpoint[] = [
    { name: 'read-write', address: s.endpoints.readWrite, what: galera ? 'the write node' : 'the primary' },
    ...(s.endpoints.readWriteAll ? [{ name: 'read-write, every node', address: s.endpoints.readWriteAll, what: 'every synced node' }] : []),
    { name: 'read-only', address: s.endpoints.readOnly, what: galera ? 'the synced nodes' : 'the healthy replicas' },
  ];
  const b = s.backupSchedule;
  return {
    view,
    endpoints,
    events: s.events,
    backups: {
      ...(b ? { location: b.location, schedule: b.schedule, nextRun: b.nextRun, running: b.running } : {}),
      ...(b?.lastRun ? { last: { id: b.lastRun.id, at: b.lastRun.startedAt, ok: b.lastRun.ok, seconds: b.lastRun.seconds, error: b.lastRun.error, verified: b.lastRun.verified } } : {}),
      ...(s.pitr ? { pitr: { location: s.pitr.location, lastRecoverableTime: s.pitr.lastRecoverableTime, continuous: s.pitr.continuous, error: s.pitr.error } } : {}),
    },
    lastFailover: lastTime(s.events, 'FailedOver'),
    observedAt: s.observedAt,
  };
}

/** A MySQLCluster as the API server returns it, with what the page shows next to it. */
export interface KubeClusterInput {
  view: ClusterView;
  /** Its Events (core/v1), any order. */
  events: Array<{ type?: string; reason?: string; message?: string; lastTimestamp?: string; eventTime?: string; firstTimestamp?: string; metadata?: { creationTimestamp?: string } }>;
  /** Its MySQLBackups. */
  backups: Array<{ metadata: { name: string; creationTimestamp?: string }; status?: { phase?: string; startTime?: string; completionTime?: string; message?: string; verified?: { ok?: boolean } } }>;
  /** Its MySQLBackupSchedules. */
  schedules: Array<{ metadata: { name: string }; spec: { schedule: string; suspend?: boolean }; status?: { nextScheduleTime?: string } }>;
  pitr?: BackupsView['pitr'];
}

export function fromKubeCluster(k: KubeClusterInput): DashboardCluster {
  const { name, namespace } = k.view;
  const galera = k.view.mode === 'galera';
  const events: ClusterEvent[] = k.events
    .map((e) => ({ time: e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? '', type: e.type ?? 'Normal', reason: e.reason ?? '', message: e.message ?? '' }))
    .filter((e) => e.time)
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time))
    .slice(-50);
  const ended = k.backups
    .filter((b) => b.status?.phase === 'Completed' || b.status?.phase === 'Failed')
    .sort((a, b) => (a.status?.completionTime ?? '').localeCompare(b.status?.completionTime ?? ''));
  const last = ended.at(-1);
  const schedule = k.schedules[0];
  const svc = (suffix: string) => `${name}-${suffix}.${namespace}.svc:3306`;
  return {
    view: k.view,
    endpoints: [
      { name: 'read-write', address: svc('primary'), what: galera ? 'the write node' : 'the primary' },
      { name: galera ? 'every synced node' : 'read-only', address: svc(galera ? 'read' : 'replicas'), what: galera ? 'writes anywhere' : 'the healthy replicas' },
      ...(galera ? [{ name: 'read-only', address: svc('replicas'), what: 'the synced nodes but the write node' }] : [{ name: 'read', address: svc('read'), what: 'every healthy instance' }]),
    ],
    events,
    backups: {
      ...(schedule ? { location: `MySQLBackupSchedule ${schedule.metadata.name}`, schedule: schedule.spec.schedule, nextRun: schedule.spec.suspend ? undefined : schedule.status?.nextScheduleTime } : {}),
      running: k.backups.some((b) => b.status?.phase === 'Running'),
      ...(last ? { last: { id: last.metadata.name, at: last.status?.completionTime ?? last.metadata.creationTimestamp ?? '', ok: last.status?.phase === 'Completed', seconds: seconds(last.status?.startTime, last.status?.completionTime), error: last.status?.phase === 'Failed' ? last.status.message : undefined, verified: last.status?.verified?.ok } } : {}),
      ...(k.pitr ? { pitr: k.pitr } : {}),
    },
    lastFailover: lastTime(events, 'FailedOver'),
  };
}

function seconds(from?: string, to?: string): number | undefined {
  return from && to ? (Date.parse(to) - Date.parse(from)) / 1000 : undefined;
}

function lastTime(events: ClusterEvent[], reason: string): string | undefined {
  for (let k = events.length - 1; k >= 0; k--) if (events[k].reason === reason) return events[k].time;
  return undefined;
}

/** Where an operation starts, and the reasons that end it. */
const OPERATIONS: Array<{ kind: string; starts: string; ends: string[] }> = [
  { kind: 'failover', starts: 'FailoverStarted', ends: ['FailedOver', 'PrimaryRecovered'] },
  { kind: 'switchover', starts: 'SwitchoverStarted', ends: ['SwitchedOver', 'SwitchoverAborted'] },
];

export interface TimelineEntry extends ClusterEvent {
  /** The operation this event is a step of, with the seconds since it started. */
  operation?: { kind: string; step: number; afterSeconds: number; done: boolean };
}

/**
 * The events oldest first; the steps of a failover or switchover numbered, each with the time
 * since the operation started, the recovery audit a person reads after the fact.
 */
export function timeline(events: ClusterEvent[]): TimelineEntry[] {
  let open: { kind: string; ends: string[]; start: number; step: number } | undefined;
  return [...events]
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time))
    .map((e) => {
      const at = Date.parse(e.time);
      const begins = OPERATIONS.find((o) => o.starts === e.reason);
      if (begins) open = { kind: begins.kind, ends: begins.ends, start: at, step: 0 };
      const ending = OPERATIONS.find((o) => o.ends.includes(e.reason));
      if (!open && ending) open = { kind: ending.kind, ends: ending.ends, start: at, step: 0 };
      if (!open) return e;
      open.step++;
      const done = open.ends.includes(e.reason);
      const entry: TimelineEntry = { ...e, operation: { kind: open.kind, step: open.step, afterSeconds: (at - open.start) / 1000, done } };
      if (done) open = undefined;
      return entry;
    });
}
