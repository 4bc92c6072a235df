// The MySQLBackupSchedule resource: a MySQLBackup created from a template on a cron schedule,
// with the oldest ones deleted beyond `keep`.
import Type, { type Static } from 'typebox';
import { backupTemplateFields, templateErrors } from './backup.js';
import { kubeStorageErrors } from './storage.js';
import { resource } from './cluster.js';
import { dnsLabel, section } from './common.js';
import { CRON_HINT, CRON_PATTERN, cronProblem } from './cron.js';
import { validateResource, type FieldError, type Validated } from './validate.js';

export const SCHEDULE_KIND = 'MySQLBackupSchedule';

/** A MySQLBackup's spec without clusterName, which the schedule supplies. */
export const BackupTemplate = section(backupTemplateFields);

export const ScheduleSpec = section({
  clusterName: dnsLabel({ maxLength: 40, description: 'the MySQLCluster to back up, in the same namespace' }),
  schedule: Type.String({
    pattern: CRON_PATTERN,
    description: `5-field cron expression in UTC: ${CRON_HINT}`,
    errorMessage: `must be a cron expression of 5 fields: ${CRON_HINT}`,
  }),
  backupTemplate: BackupTemplate,
  keep: Type.Integer({ minimum: 1, maximum: 1000, default: 7, description: 'how many of its completed backups to keep; older ones are deleted' }),
  maxAge: Type.Optional(Type.String({
    pattern: '^[1-9][0-9]{0,4}(h|d)$',
    description: 'completed backups older than this are deleted too (the newest is always kept), such as "30d" or "36h"',
    errorMessage: 'must be a number of hours or days, such as "36h" or "30d"',
  })),
  suspend: Type.Boolean({ default: false, description: 'true: create no new backups (existing ones are kept)' }),
});

export const MySQLBackupSchedule = resource(SCHEDULE_KIND, ScheduleSpec);

export type MySQLBackupSchedule = Static<typeof MySQLBackupSchedule>;
export type ScheduleSpec = Static<typeof ScheduleSpec>;

/** spec.maxAge in milliseconds (the schema has checked its form). */
export function maxAgeMs(maxAge: string | undefined): number | undefined {
  if (!maxAge) return undefined;
  const n = Number(maxAge.slice(0, -1));
  return n * (maxAge.endsWith('d') ? 86_400_000 : 3_600_000);
}

export function validateSchedule(doc: unknown): Validated<MySQLBackupSchedule> {
  const r = validateResource<MySQLBackupSchedule>(MySQLBackupSchedule, doc, SCHEDULE_KIND, (s) => scheduleErrors(s.spec));
  if (r.ok) return r;
  // The schema's pattern only says "not a cron expression": name the field that is wrong.
  const schedule = (doc as { spec?: { schedule?: unknown } }).spec?.schedule;
  const problem = typeof schedule === 'string' ? cronProblem(schedule) : undefined;
  return { ok: false, errors: r.errors.map((e) => (e.path === 'spec.schedule' && problem ? { ...e, message: problem } : e)) };
}

function scheduleErrors(spec: ScheduleSpec): FieldError[] {
  const errors = [
    ...kubeStorageErrors(spec.backupTemplate?.storage, 'spec.backupTemplate.storage'),
    ...templateErrors(spec.backupTemplate, 'spec.backupTemplate'),
  ];
  // A backwards range (5-1) passes the pattern; cronProblem catches it.
  const problem = typeof spec.schedule === 'string' ? cronProblem(spec.schedule) : undefined;
  if (problem) errors.push({ path: 'spec.schedule', message: problem });
  return errors;
}
