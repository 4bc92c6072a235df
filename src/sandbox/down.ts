// `ordinal local down`: stop the supervisor and every server; with purge, delete the cluster.
import { rmSync } from 'node:fs';
import { callControl } from '../platform/local/control.js';
import { readJson } from '../platform/local/files.js';
import { serversWith, sleep, stopProcess } from '../platform/local/mariadbd.js';
import { instanceOrdinals } from '../platform/local/paths.js';
import { supervisorPid } from '../platform/local/supervisor.js';
import { existingCluster } from './clusters.js';

const SUPERVISOR_EXIT_MS = 120_000;

export async function down(name: string, purge: boolean): Promise<void> {
  const paths = existingCluster(name);
  if (supervisorPid(paths)) {
    await callControl(paths.control, 'POST', '/shutdown', { stopInstances: true });
    const deadline = Date.now() + SUPERVISOR_EXIT_MS;
    while (supervisorPid(paths) && Date.now() < deadline) await sleep(200);
  }
  // Servers the supervisor did not stop (it was not running): replicas first, primary last.
  const state = readJson<{ primary: number | null }>(paths.state);
  const ordinals = instanceOrdinals(paths).sort((a, b) => Number(a === state?.primary) - Number(b === state?.primary));
  for (const o of ordinals) for (const pid of serversWith(paths.config(o))) await stopProcess(pid);
  if (purge) rmSync(paths.dir, { recursive: true, force: true });
}
