// Backups and the point-in-time window: the schedule, the last run, the backups the location
// holds, and the actions to take one now or restore one into a new cluster.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { DashboardCluster } from '../src/dashboard/model.js';
import type { BackupEntry } from '../src/dashboard/source.js';
import { proposeBackup, proposeRestore } from './actions.js';
import { ago, bytes, until } from './format.js';

export function Backups({ c }: { c: DashboardCluster }) {
  const b = c.backups;
  const list = useSignal<BackupEntry[] | undefined>(undefined);
  const error = useSignal('');
  // The list is read from the store when the page opens and after each backup.
  useEffect(() => {
    fetch(`/api/clusters/${c.view.name}/backups`)
      .then(async (r) => (r.ok ? (list.value = await r.json()) : (error.value = (await r.json()).error)))
      .catch((err: Error) => (error.value = err.message));
  }, [c.view.name, b.last?.at]);
  return (
    <section class="backups">
      <h2>Backups</h2>
      {b.location ? (
        <p>
          Schedule <code>{b.schedule}</code> to {b.location}; next {until(b.nextRun)}
          {b.running ? ', running now' : ''}. Last: {b.last ? <span class={b.last.ok ? 'good-text' : 'bad-text'}>{ago(b.last.at)}, {b.last.ok ? `took ${b.last.seconds?.toFixed(1)} s${b.last.verified ? ', verified' : ''}` : `failed: ${b.last.error}`}</span> : 'none yet'}.
        </p>
      ) : (
        <p class="empty">No backup schedule (spec.backupSchedule).</p>
      )}
      {b.pitr ? (
        <p data-testid="pitr">
          Point-in-time recovery: {b.pitr.lastRecoverableTime ? `restorable up to ${new Date(b.pitr.lastRecoverableTime).toLocaleString()}` : 'nothing archived yet'}
          {b.pitr.continuous === false ? <span class="bad-text"> (the archive has a gap)</span> : null}
          {b.pitr.error ? <span class="bad-text"> — {b.pitr.error}</span> : null}
        </p>
      ) : null}
      <div class="buttons">
        <button disabled={!b.location || c.view.mode === 'galera'} onClick={() => proposeBackup(c)}>Back up now</button>
        <button disabled={!b.location} onClick={() => proposeRestore(c)}>Restore newest…</button>
      </div>
      {error.value ? <p class="bad-text">{error.value}</p> : null}
      {list.value?.length ? (
        <table>
          <thead><tr><th>Backup</th><th>Method</th><th>Size</th><th>GTID</th><th>Verified</th><th /></tr></thead>
          <tbody>
            {list.value.map((x) => (
              <tr key={x.id}>
                <td>{x.id}</td><td>{x.method}</td><td>{bytes(x.bytes)}</td><td><code>{x.gtid || '—'}</code></td>
                <td>{x.verified === undefined ? '—' : x.verified ? 'yes' : 'NO'}</td>
                <td><button onClick={() => proposeRestore(c, x.id)}>Restore…</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
