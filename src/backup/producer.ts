// What a backup method hands to take.ts: a compressed stream to store, and, once the tools
// exited cleanly, the GTID position the data is consistent with.
import type { Readable } from 'node:stream';

export interface Produced {
  /** The compressed bytes, to be stored as `file`. */
  stream: Readable;
  file: string;
  /** How far the tool got: bytes read (physical) or written (logical), and the estimated total. */
  progress(): { bytes: number; total?: number };
  /** Resolves when every tool exited 0, with the recorded GTID position. */
  finished: Promise<{ gtid: string }>;
  /** Stop every tool (the store failed, or the backup is abandoned). */
  kill(): void;
}

/** How a backup reaches the server it copies. */
export interface BackupSource {
  /** Option file (mode 0600) with the user and password: never argv. */
  optionFile: string;
  host: string;
  port: number;
  /** Physical backups read the data dir's files: the tool runs beside the server. */
  datadir: string;
}
