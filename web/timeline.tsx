// The cluster's timeline, newest first: failovers and switchovers with their numbered steps and
// the seconds since each began, fences, quarantines, backups, and what was asked from this page.
import { timeline, type ActionRecord, type ClusterEvent } from '../src/dashboard/model.js';
import { clock } from './format.js';

export function Timeline({ events, actions }: { events: ClusterEvent[]; actions: ActionRecord[] }) {
  const entries = timeline(events).reverse();
  return (
    <section class="timeline">
      <h2>Timeline</h2>
      {actions.length ? (
        <ul class="actions">
          {[...actions].reverse().map((a) => (
            <li key={a.id} class={`action ${a.state}`} data-testid="action">
              <time>{clock(a.time)}</time> <span class="badge">{a.action}</span> <span class="state">{a.state}</span> {a.message}
            </li>
          ))}
        </ul>
      ) : null}
      {entries.length ? (
        <ol>
          {entries.map((e, k) => (
            <li key={k} class={e.type === 'Warning' ? 'warning' : ''} data-reason={e.reason}>
              <time>{clock(e.time)}</time> <strong>{e.reason}</strong>
              {e.operation ? <span class="step">{e.operation.kind} step {e.operation.step}, +{e.operation.afterSeconds.toFixed(1)} s{e.operation.done ? ', done' : ''}</span> : null}
              <div class="message">{e.message}</div>
            </li>
          ))}
        </ol>
      ) : (
        <p class="empty">No events yet.</p>
      )}
    </section>
  );
}
