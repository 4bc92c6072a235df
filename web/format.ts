// Small text helpers shared by the pages.
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function until(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((Date.parse(iso) - now) / 1000));
  if (s < 90) return `in ${s} s`;
  if (s < 5400) return `in ${Math.round(s / 60)} min`;
  if (s < 172800) return `in ${Math.round(s / 3600)} h`;
  return `in ${Math.round(s / 86400)} d`;
}

export function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour12: false });
}

export function bytes(n: number | undefined): string {
  if (n === undefined) return '—';
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function phaseClass(phase: string | undefined): string {
  if (phase === 'Running') return 'good';
  if (phase === 'Degraded' || phase === 'Creating' || phase === 'SwitchingOver' || phase === 'Recovering') return 'warn';
  return 'bad';
}
