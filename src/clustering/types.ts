import type { Endpoint } from '../db/connection.js';
import type { ServerStatus } from '../db/dialect.js';

/** What the HA logic needs from the spec. */
export interface Policy {
  replicas: number;
  semiSync: boolean;
  failoverEnabled: boolean;
  detectionWindowMs: number;
  minFailoverIntervalMs: number;
  /** Replicas further behind than this are not routed reads. */
  maxReadLagSeconds: number;
}

/** One instance as the loop saw it in one tick. */
export interface InstanceView {
  ordinal: number;
  endpoint: Endpoint;
  /** How replicas reach it, when that differs from `endpoint` (a stable DNS name on Kubernetes). */
  peer?: Endpoint;
  /** The platform's word: false when it knows the server process is not running. */
  processRunning?: boolean;
  /**
   * The platform's word that its server was started and has not finished starting (crash
   * recovery): refusing connections then is not a crash. Unset where the platform cannot tell.
   */
  starting?: boolean;
  /** Being provisioned (cloned/initialized); not part of the topology yet. */
  provisioning?: boolean;
  /** The platform's word that it has data even while not running (a first primary waits for it). */
  hasData?: boolean;
  status?: ServerStatus;
  error?: string;
  /** Nothing listened on the port (a crashed or stopped server, not a slow one). */
  refused?: boolean;
  /** When the loop first failed to reach it, in this unreachable streak. */
  unreachableSince?: number;
}

export interface Snapshot {
  now: number;
  instances: InstanceView[];
}

export interface FailoverOperation {
  kind: 'failover';
  from: number;
  /** Chosen after the fence, then kept: a resumed failover never re-picks. */
  to?: number;
  reason: string;
  startedAt: number;
  /** Counted as a recovery (`to` is `from`), so a resumed operation does not count it twice. */
  recovered?: boolean;
}

export interface SwitchoverOperation {
  kind: 'switchover';
  from: number;
  to: number;
  startedAt: number;
}

export type Operation = FailoverOperation | SwitchoverOperation;

export interface Quarantine {
  reason: string;
  errant: string;
  since: number;
}

/** The persistent truth about a cluster (the CR status, or the sandbox's state file). */
export interface ClusterState {
  primary: number | null;
  epoch: number;
  failovers: number;
  switchovers: number;
  /** Failovers that promoted the failed primary itself again (it restarted holding the most). */
  recoveries: number;
  lastFailoverAt?: number;
  /** When every instance was last seen healthy after the last failover: ends its anti-flapping hold. */
  lastRecoveredAt?: number;
  operation?: Operation;
  quarantined: Record<string, Quarantine>;
  /** The primary's gtid_binlog_state when last seen: the reference for errant checks at failover. */
  primaryBinlogState?: string;
  /** spec.mode galera: `primary` is the write node; a bootstrapped cluster never starts empty again. */
  galera?: { bootstrapped: boolean; lastBootstrap?: { ordinal: number; why: string; at: string } };
}

export function initialState(): ClusterState {
  return { primary: null, epoch: 0, failovers: 0, switchovers: 0, recoveries: 0, quarantined: {} };
}

export type Action =
  /** `blocked`: the primary failed but no failover can run now (its server may restart in place). */
  | { kind: 'none'; reason?: string; blocked?: boolean }
  /** Something a person must look at; nothing is done about it automatically. */
  | { kind: 'alert'; reason: string }
  | { kind: 'bootstrap'; ordinal: number }
  /** `to`: chosen up front (the failed primary itself, restarted holding the most). */
  | { kind: 'failover'; from: number; reason: string; to?: number; resume?: FailoverOperation }
  | { kind: 'switchover'; from: number; to: number; resume?: SwitchoverOperation }
  | { kind: 'fence'; ordinal: number; reason: string; restart: boolean }
  | { kind: 'quarantine'; ordinal: number; errant: string }
  | { kind: 'repoint'; ordinal: number; reason: string }
  | { kind: 'configurePrimary'; ordinal: number; semiSync: boolean }
  | { kind: 'rebuild'; ordinal: number };

export type Role = 'primary' | 'replica' | 'unknown';
