// PURE: a backup's manifest. It is written last, so a folder without one is never taken for
// a backup (a backup killed midway leaves only files nobody lists). It says what the backup
// holds, where it came from, and the GTID position its data is consistent with.
import type { ClusterSpec } from '../api/cluster.js';
import { toPosition } from '../db/gtid.js';

export const MANIFEST = 'manifest.json';
export const FORMAT = 1;

export type BackupMethod = 'physical' | 'logical';

export interface BackupFile {
  name: string;
  /** Stored (compressed) size. */
  bytes: number;
  sha256: string;
}

export interface Manifest {
  format: typeof FORMAT;
  /** The folder's name: the start time, UTC, to the second ("20261130T205713Z"). */
  id: string;
  cluster: string;
  method: BackupMethod;
  compression: 'zstd';
  serverVersion: string;
  source: { instance: number; role: 'primary' | 'replica' };
  startTime: string;
  endTime: string;
  /**
   * The GTID position the data is consistent with, as the backup tool recorded it. A
   * physical restore also reads the position InnoDB committed (see seed.ts) and takes the
   * higher of the two per domain.
   */
  gtid: string;
  /** Logical backups of some databases only; undefined means all but the system schemas. */
  databases?: string[];
  /** Logical backups: the dump's size before compression. */
  rawBytes?: number;
  files: BackupFile[];
  /** The cluster's spec when the backup was taken, so a restore can create the same shape. */
  spec?: ClusterSpec;
}

/** The id (and folder name) of a backup started at `t`. */
export function backupId(t: Date): string {
  return t.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

/** The folder of a backup, relative to its store. */
export function backupFolder(cluster: string, id: string): string {
  return `${cluster}/${id}`;
}

export function storedBytes(m: Manifest): number {
  return m.files.reduce((n, f) => n + f.bytes, 0);
}

/** Parse a manifest; anything that is not one (or of a newer format) is refused with why. */
export function parseManifest(text: string, key: string): Manifest {
  let doc: Partial<Manifest>;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${key}: not JSON (${(err as Error).message})`);
  }
  if (doc.format !== FORMAT) throw new Error(`${key}: manifest format ${String(doc.format)} is not one this version reads (${FORMAT})`);
  for (const field of ['id', 'cluster', 'method', 'startTime', 'endTime'] as const) {
    if (typeof doc[field] !== 'string' || !doc[field]) throw new Error(`${key}: ${field} is missing`);
  }
  if (doc.method !== 'physical' && doc.method !== 'logical') throw new Error(`${key}: method "${doc.method}" is unknown`);
  if (!Array.isArray(doc.files) || doc.files.length === 0) throw new Error(`${key}: files is empty`);
  if (typeof doc.gtid !== 'string') throw new Error(`${key}: gtid is missing`);
  return doc as Manifest;
}

/**
 * When the backup's data is consistent: a logical dump's snapshot is taken at its start; a
 * physical copy's at the end (its commit lock comes last).
 */
export function consistentAt(m: Manifest): number {
  return Date.parse(m.method === 'logical' ? m.startTime : m.endTime);
}

/** The sequence number of domain 0 (the cluster's) in the backup's position. */
export function backupSeq(m: Manifest): number {
  return toPosition(m.gtid).get(0)?.seq ?? 0;
}

export type BackupChoice = { ok: true; manifest: Manifest } | { ok: false; reason: string };

/**
 * The backup a restore starts from: the one named, else the newest whose data is consistent
 * at or before the target (a time, or a transaction's sequence number).
 */
export function chooseBackup(manifests: Manifest[], want: { id?: string; before?: Date; upToSeq?: number }): BackupChoice {
  if (manifests.length === 0) return { ok: false, reason: 'there are no backups' };
  if (want.id !== undefined) {
    const named = manifests.filter((m) => m.id === want.id || `${m.cluster}/${m.id}` === want.id);
    if (named.length === 1) return { ok: true, manifest: named[0] };
    if (named.length > 1) return { ok: false, reason: `${named.length} clusters have a backup ${want.id}; name it as CLUSTER/${want.id}` };
    return { ok: false, reason: `there is no backup ${want.id}; there are: ${manifests.map((m) => `${m.cluster}/${m.id}`).join(', ')}` };
  }
  const sorted = [...manifests].sort((a, b) => consistentAt(a) - consistentAt(b));
  let fit = sorted;
  if (want.before) {
    fit = fit.filter((m) => consistentAt(m) <= want.before!.getTime());
    if (fit.length === 0) return { ok: false, reason: `no backup is consistent at or before ${want.before.toISOString()}; the oldest is consistent at ${new Date(consistentAt(sorted[0])).toISOString()}` };
  }
  if (want.upToSeq !== undefined) {
    fit = fit.filter((m) => backupSeq(m) <= want.upToSeq!);
    if (fit.length === 0) return { ok: false, reason: `every backup is past transaction ${want.upToSeq}; the oldest holds up to ${sorted[0].gtid}` };
  }
  const clusters = new Set(fit.map((m) => m.cluster));
  if (clusters.size > 1) return { ok: false, reason: `backups of several clusters are here (${[...clusters].join(', ')}); name one with --backup CLUSTER/ID` };
  return { ok: true, manifest: fit[fit.length - 1] };
}
