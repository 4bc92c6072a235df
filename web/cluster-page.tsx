// One cluster: its topology, endpoints, live charts, timeline and backups.
import type { DashboardCluster } from '../src/dashboard/model.js';
import { Backups } from './backups.js';
import { LagChart, WriteRateChart } from './charts.js';
import { ago, phaseClass } from './format.js';
import { actionsOf, history } from './state.js';
import { Timeline } from './timeline.js';
import { Topology } from './topology.js';

export function ClusterPage({ c }: { c: DashboardCluster }) {
  const s = c.view.status ?? {};
  const samples = history.get(c.view.name) ?? [];
  return (
    <div class="cluster">
      <header class="cluster-head">
        <h1>{c.view.name}</h1>
        <span class={`badge ${phaseClass(s.phase)}`} data-testid="phase">{s.phase ?? 'unknown'}</span>
        <span>{c.view.mode === 'galera' ? 'Galera' : 'primary-replica'}</span>
        <span data-testid="primary">{c.view.mode === 'galera' ? 'writer' : 'primary'} {s.primary ?? 'none'}</span>
        <span>ready {s.ready ?? '—'}</span>
        <span>failovers {s.failovers ?? 0}</span>
        <span>switchovers {s.switchovers ?? 0}</span>
        <span class="muted">observed {ago(c.observedAt)}</span>
      </header>
      {s.message ? <p class="message">{s.message}</p> : null}
      <div class="columns">
        <div>
          <Topology c={c} />
          <section class="endpoints">
            <h2>Endpoints</h2>
            <table>
              <tbody>
                {c.endpoints.map((e) => (
                  <tr key={e.name}><td>{e.name}</td><td><code>{e.address}</code></td><td class="muted">{e.what}</td></tr>
                ))}
              </tbody>
            </table>
          </section>
          <section class="charts">
            {c.view.mode === 'galera' ? null : <LagChart samples={samples} />}
            <WriteRateChart samples={samples} />
          </section>
          <Backups c={c} />
        </div>
        <Timeline events={c.events} actions={actionsOf(c.view.name)} />
      </div>
    </div>
  );
}
