// One cluster's topology: the primary's slot above its replicas (drag a replica onto the slot to
// switch over), or Galera nodes side by side; each instance with its role, readiness, lag,
// GTID position and errant mark.
import { useSignal } from '@preact/signals';
import type { DashboardCluster } from '../src/dashboard/model.js';
import type { GaleraNodeView, InstanceView } from '../src/views/cluster-view.js';
import { proposeRebuild, proposeSwitchover } from './actions.js';

export function Topology({ c }: { c: DashboardCluster }) {
  const s = c.view.status ?? {};
  const instances = [...(s.instances ?? [])].sort((a, b) => a.ordinal - b.ordinal);
  const over = useSignal(false);
  if (c.view.mode === 'galera') {
    const nodes = new Map((s.galera?.nodes ?? []).map((n) => [n.ordinal, n]));
    return (
      <section class="topology galera">
        <h2>Nodes {s.galera ? <small>cluster size {s.galera.clusterSize}, plan {s.galera.plan}</small> : null}</h2>
        <div class="row">{instances.map((i) => <Card key={i.ordinal} c={c} i={i} node={nodes.get(i.ordinal)} writer={i.ordinal === s.primary} />)}</div>
      </section>
    );
  }
  const primary = instances.find((i) => i.ordinal === s.primary);
  const replicas = instances.filter((i) => i !== primary);
  return (
    <section class="topology">
      <h2>Topology</h2>
      <div
        class={`primary-slot${over.value ? ' over' : ''}`}
        data-testid="primary-slot"
        onDragOver={(e) => {
          e.preventDefault();
          over.value = true;
        }}
        onDragLeave={() => (over.value = false)}
        onDrop={(e) => {
          e.preventDefault();
          over.value = false;
          const to = Number(e.dataTransfer?.getData('text/plain'));
          if (Number.isInteger(to)) proposeSwitchover(c, to);
        }}
      >
        {primary ? <Card c={c} i={primary} /> : <div class="card missing">no primary</div>}
        <span class="hint">drop a replica here to make it the primary</span>
      </div>
      <div class="row replicas">{replicas.map((i) => <Card key={i.ordinal} c={c} i={i} />)}</div>
    </section>
  );
}

function Card({ c, i, node, writer }: { c: DashboardCluster; i: InstanceView; node?: GaleraNodeView; writer?: boolean }) {
  const galera = !!node || c.view.mode === 'galera';
  const isPrimary = !galera && i.ordinal === c.view.status?.primary;
  const classes = ['card', i.ready ? 'ready' : 'not-ready', i.errant ? 'errant' : '', isPrimary || writer ? 'lead' : ''].join(' ');
  return (
    <div
      class={classes}
      data-testid={`instance-${i.ordinal}`}
      data-role={i.role}
      draggable={!galera && !isPrimary}
      onDragStart={(e) => e.dataTransfer?.setData('text/plain', String(i.ordinal))}
    >
      <div class="title">
        <strong>{i.ordinal}</strong> <span class="role">{galera ? (writer ? 'writer' : 'node') : i.role}</span>
        {i.errant ? <span class="badge bad">ERRANT</span> : null}
      </div>
      <div class="facts">
        <span class={i.ready ? 'good-text' : 'bad-text'}>{i.ready ? 'ready' : 'not ready'}</span>
        {' · '}
        {i.readOnly === null ? 'unreachable' : i.readOnly ? 'read-only' : 'writable'}
        {!galera && !isPrimary && i.lagSeconds !== null ? ` · lag ${i.lagSeconds} s` : ''}
      </div>
      {node ? <div class="facts">{node.state} · seqno {node.seqno ?? '—'}{node.flowControlPaused ? ` · flow control ${(node.flowControlPaused * 100).toFixed(0)}%` : ''}{node.recvQueue ? ` · recv queue ${node.recvQueue}` : ''}</div> : null}
      <div class="gtid" title="gtid_current_pos">{i.gtid ? `GTID ${i.gtid}` : 'GTID —'}</div>
      {i.message ? <div class="message">{i.message}</div> : null}
      <div class="buttons">
        {!galera && !isPrimary ? <button onClick={() => proposeSwitchover(c, i.ordinal)}>Make primary</button> : null}
        {!isPrimary ? <button onClick={() => proposeRebuild(c, i.ordinal)}>Rebuild</button> : null}
      </div>
    </div>
  );
}
