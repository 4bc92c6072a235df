// Take one backup into a store: the method's tools produce a compressed stream, which is
// stored as the backup folder's one data file while its size and SHA-256 are taken; the
// manifest is written last. A failure removes what was written (a killed process cannot,
// but a folder without a manifest is never listed as a backup).
import { pipeline } from 'node:stream';
import type { ClusterSpec } from '../api/cluster.js';
import { backupFolder, backupId, FORMAT, MANIFEST, type BackupMethod, type Manifest } from './manifest.js';
import { Measure } from './measure.js';
import { logicalBackup } from './logical.js';
import { physicalBackup } from './physical.js';
import { remotePhysicalBackup, type AgentAddress } from './remote-physical.js';
import type { BackupSource } from './producer.js';
import { joinKey, type Store } from './store.js';

export interface BackupProgress {
  /** Bytes written to the store so far (compressed). */
  stored: number;
  /** How far the tool got, and the estimated total (both before compression). */
  read: number;
  total?: number;
  seconds: number;
}

export interface TakeOptions {
  store: Store;
  cluster: string;
  method: BackupMethod;
  source: BackupSource & { instance: number; role: 'primary' | 'replica' };
  /** Physical only: the source's agent takes the copy beside its files (Kubernetes). */
  agent?: AgentAddress;
  serverVersion: string;
  /** Logical only: the databases to dump (the caller resolves "all"). */
  databases?: string[];
  /** Logical only: the databases' size, for the ETA. */
  estimate?: number;
  /** A folder for the tools' scratch files; removed afterwards. */
  scratch: string;
  spec?: ClusterSpec;
  onProgress?: (p: BackupProgress) => void;
  /** Fires when the backup is abandoned (a signal, a deadline). */
  signal?: AbortSignal;
}

export async function takeBackup(o: TakeOptions): Promise<Manifest> {
  const started = new Date();
  const id = backupId(started);
  const folder = backupFolder(o.cluster, id);
  if (await o.store.getText(joinKey(folder, MANIFEST))) throw new Error(`a backup ${folder} exists already in ${o.store.where}; try again in a second`);
  const produced = o.method === 'logical'
    ? logicalBackup(o.source, o.databases ?? [], o.estimate)
    : o.agent ? remotePhysicalBackup(o.agent) : physicalBackup(o.source, o.scratch);
  const key = joinKey(folder, produced.file);
  const measure = new Measure();
  const report = () => {
    const p = produced.progress();
    o.onProgress?.({ stored: measure.bytes, read: p.bytes, total: p.total, seconds: (Date.now() - started.getTime()) / 1000 });
  };
  const ticker = o.onProgress ? setInterval(report, 1000) : undefined;
  const abort = () => produced.kill();
  o.signal?.addEventListener('abort', abort);
  try {
    const body = pipeline(produced.stream, measure, () => {});
    // Both settle before anything is cleaned up: a store still writing would leave files behind.
    const [stored, finished] = await Promise.allSettled([
      o.store.put(key, body).catch((err) => {
        produced.kill();
        throw err;
      }),
      produced.finished.catch((err) => {
        measure.destroy(err);
        throw err;
      }),
    ]);
    // The tool's own failure says more than the store's "stream destroyed".
    if (finished.status === 'rejected') throw finished.reason;
    if (stored.status === 'rejected') throw stored.reason;
    const { gtid } = finished.value;
    if (o.signal?.aborted) throw new Error('the backup was cancelled');
    report();
    const manifest: Manifest = {
      format: FORMAT,
      id,
      cluster: o.cluster,
      method: o.method,
      compression: 'zstd',
      serverVersion: o.serverVersion,
      source: { instance: o.source.instance, role: o.source.role },
      startTime: started.toISOString(),
      endTime: new Date().toISOString(),
      gtid,
      ...(o.method === 'logical' ? { databases: o.databases, rawBytes: produced.progress().bytes } : {}),
      files: [{ name: produced.file, bytes: measure.bytes, sha256: measure.sha256() }],
      ...(o.spec ? { spec: o.spec } : {}),
    };
    await o.store.putText(joinKey(folder, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } catch (err) {
    produced.kill();
    await o.store.remove([key]).catch(() => {});
    throw err;
  } finally {
    clearInterval(ticker);
    o.signal?.removeEventListener('abort', abort);
  }
}
