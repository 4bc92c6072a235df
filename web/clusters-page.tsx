// All clusters: one row each, with what a person checks first.
import type { DashboardCluster } from '../src/dashboard/model.js';
import { ago, phaseClass } from './format.js';

export function ClustersPage({ clusters }: { clusters: DashboardCluster[] }) {
  if (!clusters.length) return <p class="empty">No clusters yet. Start one with <code>ordinal local up -f FILE</code>.</p>;
  return (
    <table class="clusters">
      <thead>
        <tr><th>Cluster</th><th>Mode</th><th>Phase</th><th>Primary</th><th>Ready</th><th>Failovers</th><th>Switchovers</th><th>Last failover</th><th>Last backup</th></tr>
      </thead>
      <tbody>
        {clusters.map((c) => {
          const s = c.view.status ?? {};
          const last = c.backups.last;
          return (
            <tr key={c.view.name} data-cluster={c.view.name}>
              <td><a href={`#/cluster/${c.view.name}`}>{c.view.name}</a></td>
              <td>{c.view.mode === 'galera' ? 'Galera' : 'primary-replica'}</td>
              <td><span class={`badge ${phaseClass(s.phase)}`}>{s.phase ?? 'unknown'}</span></td>
              <td class="primary-cell">{s.primary ?? '—'}</td>
              <td>{s.ready ?? '—'}</td>
              <td>{s.failovers ?? 0}</td>
              <td>{s.switchovers ?? 0}</td>
              <td>{ago(c.lastFailover)}</td>
              <td>{last ? <span class={last.ok ? '' : 'bad-text'}>{ago(last.at)}{last.ok ? '' : ' (failed)'}</span> : c.backups.location ? 'none yet' : 'no schedule'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
