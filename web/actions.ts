// The actions a person starts from the page. Each opens a dialog first: what will happen, or
// why it is refused (decided by the same rule as the command line, before anything is sent).
import type { DashboardCluster } from '../src/dashboard/model.js';
import { rebuildRefusal, switchoverTarget } from '../src/views/cluster-view.js';
import { dialog, post } from './state.js';

const base = (c: DashboardCluster) => `/api/clusters/${c.view.name}`;

export function proposeSwitchover(c: DashboardCluster, to: number): void {
  const target = switchoverTarget(c.view, to);
  if (!target.ok) {
    dialog.value = { title: 'Switchover refused', body: target.why };
    return;
  }
  const from = c.view.status?.primary;
  dialog.value = {
    title: `Switch over to instance ${to}?`,
    body: `Instance ${from} stops taking writes and instance ${to} catches up with it, then becomes the primary; ${from} replicates from it. Writes pause for the moment this takes; nothing acknowledged is lost.`,
    confirm: { label: 'Switch over', run: () => post(`${base(c)}/switchover`, { to }).then(() => undefined) },
  };
}

export function proposeRebuild(c: DashboardCluster, ordinal: number): void {
  const why = rebuildRefusal(c.view, ordinal);
  if (why) {
    dialog.value = { title: 'Rebuild refused', body: why };
    return;
  }
  dialog.value = {
    title: `Rebuild instance ${ordinal}?`,
    body: `Instance ${ordinal}'s data is thrown away and copied again from a healthy instance. It serves nothing until the copy is done.`,
    confirm: { label: 'Rebuild', run: () => post(`${base(c)}/rebuild`, { ordinal }).then(() => undefined) },
  };
}

export function proposeBackup(c: DashboardCluster): void {
  dialog.value = {
    title: 'Take a backup now?',
    body: `A backup with the schedule's settings goes to ${c.backups.location ?? 'the schedule\'s location'}. It copies a replica when one is ready, so the primary's clients do not pay for it.`,
    confirm: { label: 'Back up', run: () => post(`${base(c)}/backup`, {}).then(() => undefined) },
  };
}

export function proposeRestore(c: DashboardCluster, backup?: string): void {
  const window = c.backups.pitr?.lastRecoverableTime;
  dialog.value = {
    title: backup ? `Restore backup ${backup} into a new cluster?` : 'Restore the newest backup into a new cluster?',
    body: `A new cluster is created from the backup; ${c.view.name} is not touched.${window ? ` With a point in time, the archived binary logs are replayed up to it (restorable up to ${window}).` : ''}`,
    fields: [
      { name: 'as', label: 'New cluster name', placeholder: `${c.view.name}-restored` },
      ...(window ? [{ name: 'pointInTime', label: 'Point in time (optional, RFC 3339)', placeholder: window }] : []),
    ],
    values: {},
    confirm: {
      label: 'Restore',
      run: async () => {
        const v = dialog.value?.values ?? {};
        await post(`${base(c)}/restore`, { as: v.as ?? '', backup, pointInTime: v.pointInTime });
      },
    },
  };
}
