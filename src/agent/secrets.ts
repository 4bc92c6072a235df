// The pod's passwords: one file per key of the cluster's Secret, mounted read-only. They
// are read into memory when needed; error messages name the file, never its content.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterSpec } from '../api/cluster.js';
import { EXPORTER_USER, type Accounts } from '../db/accounts.js';
import type { Credentials } from '../db/connection.js';
import { OPERATOR_USER, REPLICATION_USER, SST_USER } from '../db/dialect.js';
import type { AgentConfig } from './config.js';

export type SecretKey = 'operator' | 'replication' | 'app' | 'exporter' | 'agent-token' | 'sst';

export function readSecret(cfg: AgentConfig, key: SecretKey): string {
  const file = join(cfg.secretsDir, key);
  let value: string;
  try {
    value = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new Error(`cannot read the secret ${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  if (!value) throw new Error(`the secret ${file} is empty`);
  return value;
}

export function operatorCredentials(cfg: AgentConfig): Credentials {
  return { user: OPERATOR_USER, password: readSecret(cfg, 'operator') };
}

export function accountsFor(cfg: AgentConfig, spec: ClusterSpec): Accounts & { exporter: Credentials } {
  return {
    operator: operatorCredentials(cfg),
    replication: { user: REPLICATION_USER, password: readSecret(cfg, 'replication') },
    app: { user: spec.database.user, password: readSecret(cfg, 'app'), database: spec.database.name },
    exporter: { user: EXPORTER_USER, password: readSecret(cfg, 'exporter') },
    ...(spec.mode === 'galera' ? { sst: { user: SST_USER, password: readSecret(cfg, 'sst') } } : {}),
  };
}
