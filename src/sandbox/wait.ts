// Waiting until a sandbox cluster is healthy: every instance there and the phase Running.
import { pidAlive } from '../platform/local/files.js';
import { callControl } from '../platform/local/control.js';
import { sleep } from '../platform/local/mariadbd.js';
import type { LocalStatus } from '../platform/local/status.js';
import { supervisorPid } from '../platform/local/supervisor.js';
import { supervisorLogTail } from './logs.js';
import type { Applied } from './up.js';

const POLL_MS = 500;

/** `progress` gets each status seen, or undefined while the supervisor does not answer yet. */
export async function waitHealthy(
  { paths, replicas, started }: Applied,
  timeoutSeconds: number,
  progress: (s: LocalStatus | undefined) => void,
): Promise<LocalStatus> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last: LocalStatus | undefined;
  // A supervisor just started may take a while to write its pid file: watch its pid instead.
  const gone = () => (started !== undefined ? !pidAlive(started) : !supervisorPid(paths));
  while (Date.now() < deadline) {
    if (gone()) throw new Error(`the supervisor exited; see ordinal local logs ${paths.name}\n${supervisorLogTail(paths, 5)}`);
    const s = await callControl<LocalStatus>(paths.control, 'GET', '/status', undefined, 5000).catch(() => undefined);
    progress(s);
    if (s) last = s;
    if (s?.phase === 'Running' && s.instances.length === replicas) return s;
    await sleep(POLL_MS);
  }
  throw new Error(`cluster ${paths.name} is not healthy after ${timeoutSeconds} s (phase ${last?.phase ?? 'unknown'}${last?.message ? `: ${last.message}` : ''}); see ordinal local logs ${paths.name}`);
}
