// Small live charts over the last minutes: each replica's lag, and the primary's write rate
// (transactions per second, from its GTID position between two samples).
import type { Sample } from './state.js';

const W = 320;
const H = 90;

interface Line {
  label: string;
  points: Array<[number, number]>;
}

export function LagChart({ samples }: { samples: Sample[] }) {
  const ordinals = [...new Set(samples.flatMap((s) => Object.keys(s.lag).map(Number)))].sort((a, b) => a - b);
  const lines = ordinals.map((o) => ({
    label: `instance ${o}`,
    points: samples.filter((s) => s.lag[o] !== null && s.lag[o] !== undefined).map((s) => [s.at, s.lag[o] as number] as [number, number]),
  })).filter((l) => l.points.length);
  return <Chart title="Replication lag (s)" lines={lines} />;
}

export function WriteRateChart({ samples }: { samples: Sample[] }) {
  const points: Array<[number, number]> = [];
  for (let k = 1; k < samples.length; k++) {
    const a = samples[k - 1];
    const b = samples[k];
    if (a.written === null || b.written === null || b.at === a.at) continue;
    points.push([b.at, Math.max(0, (b.written - a.written) / ((b.at - a.at) / 1000))]);
  }
  return <Chart title="Writes (transactions/s)" lines={points.length ? [{ label: 'primary', points }] : []} />;
}

const COLORS = ['#2f6fde', '#d9822b', '#2a9d5b', '#9c27b0', '#c0392b'];

function Chart({ title, lines }: { title: string; lines: Line[] }) {
  const all = lines.flatMap((l) => l.points);
  const now = Date.now();
  const t0 = now - 5 * 60_000;
  const max = Math.max(1, ...all.map((p) => p[1]));
  const x = (t: number) => ((t - t0) / (now - t0)) * W;
  const y = (v: number) => H - (v / max) * (H - 10);
  const last = lines.map((l) => l.points[l.points.length - 1]?.[1]);
  return (
    <figure class="chart">
      <figcaption>{title} <small>last 5 min, max {max.toFixed(max < 10 ? 1 : 0)}</small></figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={title}>
        <line x1="0" y1={H - 0.5} x2={W} y2={H - 0.5} class="axis" />
        {lines.map((l, k) => (
          <polyline key={l.label} fill="none" stroke={COLORS[k % COLORS.length]} stroke-width="1.5" points={l.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')} />
        ))}
      </svg>
      <div class="legend">
        {lines.length ? lines.map((l, k) => <span key={l.label} class={`series-${k % COLORS.length}`}>{l.label}: {last[k]?.toFixed(1)}</span>) : <span>no data yet</span>}
      </div>
    </figure>
  );
}
