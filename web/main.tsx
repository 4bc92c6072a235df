// The dashboard's page: all clusters (#/) or one (#/cluster/NAME), kept current by the
// server's event stream; no reload, nothing fetched from anywhere but this server.
import { render } from 'preact';
import { ClusterPage } from './cluster-page.js';
import { ClustersPage } from './clusters-page.js';
import { DialogBox } from './dialog.js';
import { connect, connected, route, snapshot } from './state.js';

function App() {
  const s = snapshot.value;
  const name = /^#\/cluster\/([a-z0-9-]+)$/.exec(route.value)?.[1];
  const cluster = name ? s?.clusters.find((c) => c.view.name === name) : undefined;
  return (
    <>
      <nav>
        <a href="#/" class="brand">Ordinal</a>
        {name ? <span> / {name}</span> : null}
        <span class="where">{s?.where ?? ''}</span>
        <span class={`live ${connected.value ? 'good-text' : 'bad-text'}`} data-testid="live">{connected.value ? '● live' : '● reconnecting'}</span>
      </nav>
      <main>
        {s?.error ? <p class="bad-text">{s.error}</p> : null}
        {!s ? <p class="empty">Loading…</p> : name ? cluster ? <ClusterPage c={cluster} /> : <p class="empty">No cluster named {name}.</p> : <ClustersPage clusters={s.clusters} />}
      </main>
      <DialogBox />
    </>
  );
}

connect();
render(<App />, document.getElementById('app')!);
