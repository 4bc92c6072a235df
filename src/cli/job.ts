// `ordinal job`: the command of the pods of the operator's Jobs (platform/kube): take or
// delete a backup, or build a restored cluster's first data dir. The request comes from the
// environment the operator wrote; the outcome goes to the termination message and the exit code.
import { Command } from 'commander';
import { runBackupJob, type BackupJobRequest } from '../platform/kube/backup-job.js';
import { JOB_ENV_DEFAULTS, REQUEST_ENV } from '../platform/kube/job-io.js';
import { runRestoreJob, type RestoreJobRequest } from '../platform/kube/restore-job.js';

export function jobCommand(): Command {
  return new Command('job')
    .description(`run inside a Job of the operator: do what ${REQUEST_ENV} asks`)
    .action(async () => {
      const text = process.env[REQUEST_ENV];
      if (!text) throw new Error(`${REQUEST_ENV} is not set: this command runs inside a Job the operator creates`);
      const request = JSON.parse(text) as BackupJobRequest | RestoreJobRequest;
      const env = { ...JOB_ENV_DEFAULTS, terminationLog: process.env.ORDINAL_TERMINATION_LOG || JOB_ENV_DEFAULTS.terminationLog };
      const say = (line: string) => console.log(line);
      const result = request.action === 'restore' ? await runRestoreJob(request, env, say) : await runBackupJob(request, env, say);
      if (!result.ok) throw new Error(result.error);
    });
}
