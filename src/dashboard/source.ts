// Where the dashboard reads clusters and what it asks of them: the sandbox's supervisors
// (sandbox-source.ts) or the Kubernetes API with the person's kubeconfig (kube-source.ts).
// Every action is checked by the same refusals as the command line before anything changes.
import type { DashboardCluster } from './model.js';

/** A refusal a person can act on: the page shows the reason, nothing was changed. */
export class Refused extends Error {}

export interface BackupEntry {
  id: string;
  at: string;
  method: string;
  gtid?: string;
  bytes?: number;
  verified?: boolean;
}

export interface DashboardSource {
  /** Where the clusters live, for the page's header: "sandbox" or "kube context / namespace". */
  readonly where: string;
  clusters(): Promise<DashboardCluster[]>;
  backups(name: string): Promise<BackupEntry[]>;
  /** Each resolves once the request is accepted (or rejects with Refused); the page follows the rest live. */
  switchover(name: string, to: number): Promise<Started>;
  rebuild(name: string, ordinal: number): Promise<Started>;
  backup(name: string): Promise<Started>;
  restore(name: string, request: RestoreRequest): Promise<Started>;
}

export interface RestoreRequest {
  /** The new cluster's name. */
  as: string;
  /** A backup id; default: the newest. */
  backup?: string;
  /** Replay the archived binary logs up to this RFC 3339 time. */
  pointInTime?: string;
}

/** An accepted request: what will happen, and how it ended. */
export interface Started {
  message: string;
  done: Promise<string>;
}
