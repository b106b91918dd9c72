// One JSON line per figure, each beside a baseline measured in the same run, with the machine it ran on.
import os from 'node:os';

/** The machine a figure was measured on, in every JSON line. */
export const machine = `${os.cpus().length}× ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`;

export function report(name: string, value: number, unit: string, baseline: number, extra: Record<string, unknown> = {}): void {
  const round = (n: number) => Math.round(n * 1000) / 1000;
  process.stdout.write(
    `${JSON.stringify({ name, value: round(value), unit, baseline: round(baseline), ratio: round(baseline === 0 ? 0 : value / baseline), machine, ...extra })}\n`,
  );
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
