import type { LocalStatus } from '../platform/local/status.js';

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

/** One line about what the cluster is doing now: who is primary, what is being cloned. */
export function progressLine(s: LocalStatus): string {
  const parts = s.instances.map((i) => {
    if (i.provisioning) return `${i.ordinal}: ${i.provisioning.what}${i.provisioning.bytes ? ` ${(i.provisioning.bytes / 1e6).toFixed(0)} MB` : ''}`;
    const [lead, other] = s.mode === 'galera' ? ['writer', i.galera?.state ?? 'node'] : ['primary', 'replica'];
    if (i.ordinal === s.primary) return `${i.ordinal}: ${lead}${i.ready ? '' : ' (starting)'}`;
    return `${i.ordinal}: ${i.ready ? other : i.pid ? (i.galera?.state ?? 'starting') : 'waiting'}`;
  });
  return `[${s.phase}] ${parts.join(' | ')}`;
}

/** On a terminal, rewrite one line in place; elsewhere print a change of step at once, counts every 5 s. */
export class Progress {
  private last = '';
  private printedAt = 0;
  private readonly tty = process.stderr.isTTY === true;

  show(line: string): void {
    if (line === this.last) return;
    const step = (l: string) => l.split(' ')[0];
    const changedStep = step(line) !== step(this.last);
    this.last = line;
    if (this.tty) process.stderr.write(`\r\x1b[2K${line}`);
    else if (changedStep || Date.now() - this.printedAt >= 5000) {
      process.stderr.write(`${line}\n`);
      this.printedAt = Date.now();
    }
  }

  done(): void {
    if (this.tty && this.last) process.stderr.write('\n');
    this.last = '';
  }
}
