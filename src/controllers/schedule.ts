// The MySQLBackupSchedule controller: on its cron (UTC) it creates MySQLBackup objects from
// its template, labelled with its name; it deletes the ones its limits let go (their files go
// with them when the template says deletionPolicy Delete) and reports its runs in status.
// Backups it created outlive it: deleting a schedule deletes no backup.
import { Cron } from 'croner';
import type { Logger } from 'pino';
import { BACKUP_KIND } from '../api/backup.js';
import { API_VERSION } from '../api/cluster.js';
import { maxAgeMs, SCHEDULE_KIND, validateSchedule, type MySQLBackupSchedule } from '../api/schedule.js';
import type { Applier } from '../kube/apply.js';
import type { Condition } from '../kube/conditions.js';
import type { EventRecorder } from '../kube/events.js';
import type { Informer } from '../kube/informer.js';
import type { HandlerResult } from '../kube/queue.js';
import type { KubeObject, ObjectRef } from '../kube/types.js';
import type { Backup } from './backup.js';
import { planSchedule, scheduledBackupName } from './schedule-step.js';
import { ownRef, writeOwnStatus } from './own-status.js';

export const SCHEDULE_LABEL = 'ordinal.dev/schedule';
const SCHEDULED_AT = 'ordinal.dev/scheduled-at';
const MAX_SLEEP_MS = 3_600_000;

export interface ScheduleStatus {
  lastScheduleTime?: string;
  nextScheduleTime?: string;
  lastBackup?: string;
  lastSuccessfulBackup?: string;
  lastSuccessTime?: string;
  suspended?: boolean;
  conditions?: Condition[];
  observedGeneration?: number;
}

export type Schedule = MySQLBackupSchedule & KubeObject & { status?: ScheduleStatus };

export interface ScheduleControllerDeps {
  applier: Applier;
  events: EventRecorder;
  schedules: Informer<Schedule>;
  backups: Informer<Backup>;
  log: Logger;
  now?: () => number;
}

export class ScheduleController {
  constructor(private readonly deps: ScheduleControllerDeps) {}

  async reconcile(key: string): Promise<HandlerResult> {
    const s = this.deps.schedules.get(key);
    if (!s || s.metadata?.deletionTimestamp) return;
    const ref = ownRef(SCHEDULE_KIND, s);
    const { namespace, name } = ref;
    const now = (this.deps.now ?? Date.now)();
    const validated = validateSchedule(s);
    if (!validated.ok) {
      const message = validated.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
      await this.write(s, ref, { suspended: s.spec?.suspend }, { status: 'False', reason: 'InvalidSpec', message }, now);
      void this.deps.events.warning(ref, 'InvalidSpec', message);
      return;
    }
    const spec = validated.value.spec;
    const owned = this.deps.backups.list().filter((b) => b.metadata?.namespace === namespace && b.metadata?.labels?.[SCHEDULE_LABEL] === name);
    const cron = new Cron(spec.schedule, { timezone: 'UTC', paused: true });
    const plan = planSchedule({
      now,
      suspend: spec.suspend,
      keep: spec.keep,
      maxAgeMs: maxAgeMs(spec.maxAge),
      since: Date.parse(s.status?.lastScheduleTime ?? String(s.metadata?.creationTimestamp ?? new Date(now).toISOString())),
      nextAfter: (t) => cron.nextRun(new Date(t))?.getTime(),
      backups: owned.map((b) => ({
        name: b.metadata!.name!,
        created: Date.parse(String(b.metadata?.creationTimestamp ?? new Date(now).toISOString())),
        phase: b.status?.phase,
        scheduledAt: Date.parse(b.metadata?.annotations?.[SCHEDULED_AT] ?? '') || undefined,
      })),
    });

    let lastBackup = s.status?.lastBackup;
    if (plan.run !== undefined) {
      lastBackup = scheduledBackupName(name, plan.run);
      await this.deps.applier.apply({
        apiVersion: API_VERSION,
        kind: BACKUP_KIND,
        metadata: {
          name: lastBackup,
          namespace,
          labels: { [SCHEDULE_LABEL]: name, 'app.kubernetes.io/managed-by': 'ordinal' },
          annotations: { [SCHEDULED_AT]: new Date(plan.run).toISOString() },
        },
        spec: { clusterName: spec.clusterName, ...spec.backupTemplate },
      });
      void this.deps.events.normal(ref, 'BackupCreated', `created backup ${lastBackup} for the run of ${new Date(plan.run).toISOString()}`);
    }
    if (plan.skipped) void this.deps.events.warning(ref, 'RunSkipped', `the run of ${new Date(plan.handled).toISOString()} was skipped: ${plan.skipped}`);
    for (const b of plan.delete) {
      await this.deps.applier.delete({ apiVersion: API_VERSION, kind: BACKUP_KIND, namespace, name: b });
      void this.deps.events.normal(ref, 'BackupDeleted', `deleted backup ${b} (keep ${spec.keep}${spec.maxAge ? `, maxAge ${spec.maxAge}` : ''})`);
    }
    const success = owned.filter((b) => b.status?.phase === 'Completed').sort((a, b) => String(b.status?.completionTime).localeCompare(String(a.status?.completionTime)))[0];
    const message = spec.suspend ? 'suspended: no new backups' : `next run at ${plan.next ? new Date(plan.next).toISOString() : '(never)'}`;
    await this.write(s, ref, {
      lastScheduleTime: new Date(plan.handled).toISOString(),
      nextScheduleTime: spec.suspend || plan.next === undefined ? undefined : new Date(plan.next).toISOString(),
      lastBackup,
      lastSuccessfulBackup: success?.metadata?.name,
      lastSuccessTime: success?.status?.completionTime,
      suspended: spec.suspend,
    }, { status: 'True', reason: spec.suspend ? 'Suspended' : 'Scheduled', message }, now);
    if (spec.suspend || plan.next === undefined) return;
    return { requeueAfterMs: Math.min(MAX_SLEEP_MS, Math.max(1000, plan.next - now + 50)) };
  }

  private write(s: Schedule, ref: ObjectRef, next: ScheduleStatus, condition: { status: 'True' | 'False'; reason: string; message: string }, now: number): Promise<void> {
    return writeOwnStatus(this.deps.applier, s, ref, next, { type: 'Ready', ...condition }, new Date(now), ['nextScheduleTime']);
  }
}
