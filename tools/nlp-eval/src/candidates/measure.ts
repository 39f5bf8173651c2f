/** Wall-clock and CPU time of running one function over the same inputs, after a warm-up. */

export interface Measurement {
  readonly calls: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
}

export interface MeasureOptions {
  /** Calls before the clock starts, cycling over the inputs, so the JIT has compiled the hot paths. */
  readonly warmUpCalls: number;
  /** Timed passes over all the inputs. */
  readonly passes: number;
}

/** Results are folded into this so the engine cannot drop a call whose result is unused. */
let sink = 0;

const fold = (result: unknown): number =>
  typeof result === 'string' ? result.length : typeof result === 'number' ? result : result ? 1 : 0;

export function measure<T>(
  inputs: readonly T[],
  run: (input: T) => unknown,
  options: MeasureOptions,
): Measurement {
  if (inputs.length === 0) return { calls: 0, wallSeconds: 0, cpuSeconds: 0 };
  for (let i = 0; i < options.warmUpCalls; i++) sink += fold(run(inputs[i % inputs.length] as T));
  const cpuStarted = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let pass = 0; pass < options.passes; pass++) for (const input of inputs) sink += fold(run(input));
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStarted);
  return { calls: inputs.length * options.passes, wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** Keeps `sink` observable (and so the measured calls necessary); the value itself means nothing. */
export const measurementSink = (): number => sink;

export const microsPerCall = (m: Measurement): number =>
  m.calls === 0 ? 0 : (m.wallSeconds * 1e6) / m.calls;

export const callsPerSecond = (m: Measurement): number => (m.wallSeconds === 0 ? 0 : m.calls / m.wallSeconds);

export const callsPerCpuSecond = (m: Measurement): number =>
  m.cpuSeconds === 0 ? 0 : m.calls / m.cpuSeconds;

/** A fixed-width text table: the first row is the header; columns are as wide as their widest cell. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd((widths[i] ?? 0) + 2))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}
