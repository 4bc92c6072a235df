// What became of one of the operator's Jobs: none, running, or done with the outcome its pod
// wrote as termination message (platform/kube/job-io.ts). Shared by the backup and restore
// controllers.
import type { Applier } from '../kube/apply.js';
import type { Informer } from '../kube/informer.js';
import { objectKey, type KubeObject } from '../kube/types.js';

export type Job = KubeObject & { status?: { conditions?: { type: string; status: string }[] } };
export type Pod = KubeObject & { status?: { containerStatuses?: { state?: { terminated?: { message?: string; finishedAt?: string } } }[] } };

export type JobOutcome<R> = { state: 'none' } | { state: 'running' } | { state: 'done'; succeeded: boolean; result?: R };

export async function jobOutcome<R>(deps: { jobs: Informer; pods: Informer; applier: Pick<Applier, 'get'> }, namespace: string, name: string, expectJob: boolean): Promise<JobOutcome<R>> {
  let job = deps.jobs.get(objectKey(namespace, name)) as Job | undefined;
  // The cache may not have seen a Job created a moment ago: ask before calling it lost.
  if (!job && expectJob) job = await deps.applier.get<Job>({ apiVersion: 'batch/v1', kind: 'Job', namespace, name });
  if (!job) return { state: 'none' };
  const done = job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  if (!done) return { state: 'running' };
  return { state: 'done', succeeded: done.type === 'Complete', result: resultOf<R>(deps.pods, namespace, name) };
}

/** The newest termination message of the Job's pods (a retried Job has several). */
function resultOf<R>(pods: Informer, namespace: string, job: string): R | undefined {
  const messages = (pods.list() as Pod[])
    .filter((p) => p.metadata?.namespace === namespace && p.metadata?.labels?.['job-name'] === job)
    .map((p) => p.status?.containerStatuses?.[0]?.state?.terminated)
    .filter((t): t is { message?: string; finishedAt?: string } => !!t?.message)
    .sort((a, z) => (a.finishedAt ?? '').localeCompare(z.finishedAt ?? ''));
  const last = messages.at(-1)?.message;
  try {
    return last ? (JSON.parse(last) as R) : undefined;
  } catch {
    return { ok: false, error: last!.slice(0, 500) } as R;
  }
}
