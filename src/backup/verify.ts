// Proving a backup restorable: restore it into a scratch data dir with a private server,
// check every table, compare the GTID position it holds with the manifest's, count the rows,
// and throw it all away. The result is stored beside the manifest (verified.json), so every
// listing shows which backups were proven and when.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { generatePassword } from '../db/accounts.js';
import { positionCovers, toPosition } from '../db/gtid.js';
import { backupFolder, type Manifest } from './manifest.js';
import { SYSTEM_SCHEMAS } from './logical.js';
import { seedFromBackup } from './seed.js';
import { joinKey, type Store } from './store.js';

export const VERIFIED = 'verified.json';

export interface Verification {
  ok: boolean;
  verifiedAt: string;
  seconds: number;
  /** The position the restored data holds (never behind the manifest's). */
  gtid?: string;
  tables?: number;
  rows?: Record<string, number>;
  error?: string;
}

export interface VerifyOptions {
  store: Store;
  manifest: Manifest;
  /** A scratch folder; removed afterwards. */
  scratch: string;
  /** Writes a my.cnf for the scratch data dir and returns its path. */
  config: (datadir: string) => string;
  osUser: string;
  onProgress?: (what: string, bytes: number) => void;
}

export async function verifyBackup(o: VerifyOptions): Promise<Verification> {
  const started = Date.now();
  const account = (user: string) => ({ user, password: generatePassword() });
  let found: Pick<Verification, 'tables' | 'rows'> = {};
  let result: Verification;
  try {
    const datadir = join(o.scratch, 'data');
    const seeded = await seedFromBackup({
      store: o.store,
      manifest: o.manifest,
      datadir,
      defaultsFile: o.config(datadir),
      osUser: o.osUser,
      accounts: { operator: account('ordinal'), replication: account('ordinal_repl'), app: { ...account('app'), database: 'app' } },
      scratch: join(o.scratch, 'run'),
      onProgress: o.onProgress,
      beforeRename: async (server, gtid) => {
        o.onProgress?.('checking every table', 0);
        found = await server.session(async (s) => {
          const tables = await s.query<{ db: string; name: string }>(
            "SELECT table_schema AS db, table_name AS name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1, 2",
          );
          const rows: Record<string, number> = {};
          const user = tables.filter((t) => !SYSTEM_SCHEMAS.has(t.db));
          for (const t of user) {
            const id = `\`${t.db.replace(/`/g, '``')}\`.\`${t.name.replace(/`/g, '``')}\``;
            const check = await s.query<{ Msg_type: string; Msg_text: string }>(`CHECK TABLE ${id}`);
            const bad = check.find((r) => r.Msg_type === 'error' || (r.Msg_type === 'status' && r.Msg_text !== 'OK'));
            if (bad) throw new Error(`CHECK TABLE ${t.db}.${t.name}: ${bad.Msg_text}`);
            rows[`${t.db}.${t.name}`] = Number(await s.value(`SELECT COUNT(*) FROM ${id}`));
          }
          return { tables: user.length, rows };
        });
        return gtid;
      },
    });
    if (!positionCovers(toPosition(seeded.gtid), toPosition(o.manifest.gtid))) {
      throw new Error(`the restored data holds GTID ${seeded.gtid || '(empty)'}, behind the manifest's ${o.manifest.gtid}`);
    }
    result = { ok: true, verifiedAt: new Date().toISOString(), seconds: (Date.now() - started) / 1000, gtid: seeded.gtid, ...found };
  } catch (err) {
    result = { ok: false, verifiedAt: new Date().toISOString(), seconds: (Date.now() - started) / 1000, error: (err as Error).message };
  } finally {
    rmSync(o.scratch, { recursive: true, force: true });
  }
  await o.store.putText(joinKey(backupFolder(o.manifest.cluster, o.manifest.id), VERIFIED), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

export async function readVerification(store: Store, m: Manifest): Promise<Verification | undefined> {
  const text = await store.getText(joinKey(backupFolder(m.cluster, m.id), VERIFIED));
  return text ? (JSON.parse(text) as Verification) : undefined;
}
