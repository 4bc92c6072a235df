// Build a data dir from a backup: the first instance of a restored cluster. Everything
// happens in a staging folder renamed into place last, so a restore that fails leaves no
// data dir a start could take for real. Nothing done here is written to a binary log: the
// restored server's GTID history is exactly the backup's (accounts created before a replay
// once made a replay skip real transactions, mariadb-operator #1709).
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { bootstrapSql, type Accounts } from '../db/accounts.js';
import { formatGtids, mergePositions, toPosition } from '../db/gtid.js';
import { MARIADB_BACKUP, MBSTREAM } from '../mariadb/backup-tools.js';
import { installDatadir, rollBackPrepared } from '../mariadb/datadir.js';
import { startPrivateServer, type PrivateServer } from '../mariadb/private-server.js';
import { run } from '../mariadb/run.js';
import { backupFolder, type Manifest } from './manifest.js';
import { readChecked } from './measure.js';
import { joinKey, type Store } from './store.js';
import { tool, type Tool } from '../mariadb/run.js';
import { decompressor } from './zstd.js';

export const MARIADB_CLIENT = process.env.ORDINAL_MARIADB_CLIENT || 'mariadb';

export interface SeedOptions {
  store: Store;
  manifest: Manifest;
  datadir: string;
  /** The instance's my.cnf (the data dir in it is overridden while staging). */
  defaultsFile: string;
  osUser: string;
  accounts: Accounts;
  /** A folder for logs and sockets of the private runs. */
  scratch: string;
  /** Runs on the restored data before it is renamed into place (the replay of binary logs). */
  beforeRename?: (server: PrivateServer, gtid: string) => Promise<string>;
  onProgress?: (what: string, bytes: number) => void;
}

export interface Seeded {
  /** The GTID position the data holds: becomes the new cluster's binlog state. */
  gtid: string;
  seconds: number;
}

export async function seedFromBackup(o: SeedOptions): Promise<Seeded> {
  const started = Date.now();
  const staging = `${o.datadir}.restore`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(o.scratch, { recursive: true });
  try {
    if (o.manifest.method === 'physical') {
      mkdirSync(staging, { recursive: true });
      await download(o, (input) => decompressInto(input, tool(MBSTREAM, ['-x', '-C', staging], ['pipe', 'ignore', 'pipe'])));
      o.onProgress?.('preparing', 0);
      await run(MARIADB_BACKUP, ['--prepare', `--target-dir=${staging}`]);
      await rollBackPrepared(o.defaultsFile, o.scratch, staging);
    } else {
      o.onProgress?.('initializing', 0);
      await installDatadir(staging, o.osUser);
    }
    const server = await startPrivateServer(o.defaultsFile, staging, o.scratch);
    let gtid: string;
    try {
      if (o.manifest.method === 'logical') {
        const load = () => tool(MARIADB_CLIENT, ['--no-defaults', `--socket=${server.socket}`, '--user=root', '--binary-mode', '--max-allowed-packet=1G'], ['pipe', 'ignore', 'pipe']);
        await download(o, (input) => decompressInto(input, load()));
      }
      gtid = await heldPosition(server, o.manifest);
      if (o.beforeRename) gtid = await o.beforeRename(server, gtid);
      // Last, so a dump's or a replay's CREATE USER cannot undo them.
      await server.session(async (s) => {
        for (const sql of bootstrapSql(o.accounts).split(';\n').filter((x) => x.trim())) await s.query(sql);
      });
    } finally {
      await server.stop();
    }
    rmSync(o.datadir, { recursive: true, force: true });
    renameSync(staging, o.datadir);
    return { gtid, seconds: (Date.now() - started) / 1000 };
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The position the restored data holds. mariadb-backup records the position under its
 * commit lock, but a replica applying in parallel was seen to commit past it; a replica's
 * InnoDB keeps its applied position in mysql.gtid_slave_pos, in the same transactions. The
 * higher of the two per domain is the data's (the table is stale on a primary, never ahead).
 */
async function heldPosition(server: PrivateServer, m: Manifest): Promise<string> {
  if (m.method === 'logical') return m.gtid;
  const applied = String((await server.session((s) => s.value('SELECT @@gtid_slave_pos'))) ?? '');
  return formatGtids(mergePositions(toPosition(m.gtid), toPosition(applied)).values());
}

/** zstd -d from `input` straight into `target`'s stdin (an OS pipe); a broken input stops both. */
async function decompressInto(input: Readable, target: Tool): Promise<void> {
  const unzstd = decompressor(target.process.stdin!);
  target.process.stdin!.destroy(); // zstd holds the pipe now
  unzstd.process.stdin!.on('error', () => {}); // its exit code tells
  input.on('error', () => {
    unzstd.process.kill('SIGKILL');
    target.process.kill('SIGKILL');
  });
  input.pipe(unzstd.process.stdin!);
  await Promise.all([unzstd.done, target.done]);
}

/** Stream the backup's data file into `consume`, checking its size and SHA-256 on the way. */
function download(o: SeedOptions, consume: (input: Readable) => Promise<void>): Promise<void> {
  const file = o.manifest.files[0];
  const key = joinKey(backupFolder(o.manifest.cluster, o.manifest.id), file.name);
  return readChecked(o.store, key, file, consume, (bytes) => o.onProgress?.('downloading', bytes));
}
