// `ordinal backup-job`: the command of a backup Job's pod (platform/kube/backup-job.ts). The
// request comes from the environment the operator wrote; the outcome goes to the termination
// message and the exit code.
import { Command } from 'commander';
import { JOB_ENV_DEFAULTS, REQUEST_ENV, runBackupJob, type BackupJobRequest } from '../platform/kube/backup-job.js';

export function backupJobCommand(): Command {
  return new Command('backup-job')
    .description(`run inside a backup Job: take or delete one backup as ${REQUEST_ENV} asks`)
    .action(async () => {
      const text = process.env[REQUEST_ENV];
      if (!text) throw new Error(`${REQUEST_ENV} is not set: this command runs inside a Job the operator creates`);
      const result = await runBackupJob(JSON.parse(text) as BackupJobRequest, {
        ...JOB_ENV_DEFAULTS,
        terminationLog: process.env.ORDINAL_TERMINATION_LOG || JOB_ENV_DEFAULTS.terminationLog,
      }, (line) => console.log(line));
      if (!result.ok) throw new Error(result.error);
    });
}
