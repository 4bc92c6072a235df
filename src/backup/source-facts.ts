// What a backup asks its source before it starts: the server's version (for the manifest),
// its databases (a logical backup dumps all but the system schemas unless told which) and
// their sizes (the ETA). The sandbox and the Kubernetes backup Job both ask the same.
import type { Session } from '../db/connection.js';
import type { BackupMethod } from './manifest.js';
import { SYSTEM_SCHEMAS } from './logical.js';

export interface SourceFacts {
  version: string;
  databases: string[];
  sizes: Map<string, number>;
}

export async function readSourceFacts(s: Session): Promise<SourceFacts> {
  const rows = await s.query<{ db: string; bytes: string | null }>('SELECT table_schema AS db, SUM(data_length + index_length) AS bytes FROM information_schema.tables GROUP BY table_schema');
  return {
    version: String(await s.value('SELECT VERSION()')),
    databases: (await s.query<{ Database: string }>('SHOW DATABASES')).map((r) => r.Database).filter((d) => !SYSTEM_SCHEMAS.has(d)),
    sizes: new Map(rows.map((r) => [r.db, Number(r.bytes ?? 0)])),
  };
}

/**
 * The databases a logical backup dumps and their size, or nothing for a physical one. `field`
 * names the input in errors ("--databases", "spec.databases").
 */
export function planDump(cluster: string, method: BackupMethod, requested: string[] | undefined, facts: SourceFacts, field: string): { databases?: string[]; estimate?: number } {
  if (requested && method !== 'logical') throw new Error(`${field}: only a logical backup can hold some databases; use method logical`);
  if (method !== 'logical') return {};
  const missing = (requested ?? []).filter((d) => !facts.databases.includes(d));
  if (missing.length) throw new Error(`${field}: cluster ${cluster} has no database ${missing.join(', ')}; it has ${facts.databases.join(', ') || 'none'}`);
  const databases = requested ?? facts.databases;
  if (databases.length === 0) throw new Error(`cluster ${cluster} has no database to dump`);
  return { databases, estimate: databases.reduce((n, d) => n + (facts.sizes.get(d) ?? 0), 0) };
}
