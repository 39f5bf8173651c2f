import { type IHeaders } from 'kafkajs';

import { type DeadLetter } from './dead-letter';
import { type RedriveMarker } from './redrive-log';

/** One dead letter as `list` shows it, and as `list --json` prints it (no value: `show` has it). */
export interface DeadLetterRow {
  id: string;
  partition: number;
  offset: string;
  deadLetteredAt: string;
  stage: string | null;
  consumerGroup: string | null;
  originalTopic: string | null;
  originalPartition: number | null;
  originalOffset: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number | null;
  firstFailureAt: string | null;
  lastFailureAt: string | null;
  key: string | null;
  valueBytes: number;
  redriven: { at: string; eventId: string; count: number } | null;
}

export function toRow(deadLetter: DeadLetter, marker: RedriveMarker | undefined): DeadLetterRow {
  const { failure } = deadLetter;
  return {
    id: deadLetter.id,
    partition: deadLetter.partition,
    offset: deadLetter.offset,
    deadLetteredAt: deadLetter.deadLetteredAt.toISOString(),
    stage: failure.stage ?? null,
    consumerGroup: failure.consumerGroup ?? null,
    originalTopic: failure.originalTopic ?? null,
    originalPartition: failure.originalPartition ?? null,
    originalOffset: failure.originalOffset ?? null,
    errorCode: failure.errorCode ?? null,
    errorMessage: failure.errorMessage ?? null,
    attempts: failure.attempts ?? null,
    firstFailureAt: failure.firstFailureAt ?? null,
    lastFailureAt: failure.lastFailureAt ?? null,
    key: deadLetter.key?.toString('utf8') ?? null,
    valueBytes: deadLetter.value?.length ?? 0,
    redriven: marker ? { at: marker.redrivenAt, eventId: marker.eventId, count: marker.count } : null,
  };
}

/** Oldest first; ties (same millisecond) in id order, so the output is stable. */
export function compareRows(
  a: Pick<DeadLetterRow, 'deadLetteredAt' | 'partition' | 'offset'>,
  b: typeof a,
): number {
  if (a.deadLetteredAt !== b.deadLetteredAt) return a.deadLetteredAt < b.deadLetteredAt ? -1 : 1;
  if (a.partition !== b.partition) return a.partition - b.partition;
  const delta = BigInt(a.offset) - BigInt(b.offset);
  return delta < 0n ? -1 : delta > 0n ? 1 : 0;
}

/** One line, at most `max` characters: newlines and runs of spaces folded, an ellipsis when cut. */
export function excerpt(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, Math.max(0, max - 1))}…`;
}

/** `2026-11-27T14:03:12.345Z` → `2026-11-27 14:03:12`: the table says UTC once, in its header. */
export function shortTime(iso: string): string {
  return iso.slice(0, 19).replace('T', ' ');
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

const MESSAGE_EXCERPT = 60;

export function formatListTable(rows: readonly DeadLetterRow[]): string[] {
  const dash = (value: string | number | null) => (value === null ? '-' : String(value));
  return formatTable(
    [
      'ID',
      'DEAD-LETTERED (UTC)',
      'STAGE',
      'GROUP',
      'ORIGINAL (TOPIC/PARTITION/OFFSET)',
      'CODE',
      'ATTEMPTS',
      'REDRIVEN',
      'MESSAGE',
    ],
    rows.map((row) => [
      row.id,
      shortTime(row.deadLetteredAt),
      dash(row.stage),
      dash(row.consumerGroup),
      `${dash(row.originalTopic)}/${dash(row.originalPartition)}/${dash(row.originalOffset)}`,
      dash(row.errorCode),
      dash(row.attempts),
      row.redriven
        ? `${shortTime(row.redriven.at)}${row.redriven.count > 1 ? ` (×${row.redriven.count})` : ''}`
        : 'no',
      excerpt(row.errorMessage ?? '', MESSAGE_EXCERPT),
    ]),
  );
}

/** How much of a value `show` prints without --full. */
export const SHOW_VALUE_CHARS = 4_000;

function headerValues(value: IHeaders[string]): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((part) => part.toString());
}

/** The value for humans: indented JSON when it is JSON, the text when it is UTF-8, else base64. */
export function prettyValue(value: Buffer | null): {
  kind: 'json' | 'text' | 'binary' | 'null';
  text: string;
} {
  if (value === null) return { kind: 'null', text: '' };
  const text = value.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(value)) return { kind: 'binary', text: value.toString('base64') };
  try {
    return { kind: 'json', text: JSON.stringify(JSON.parse(text), null, 2) };
  } catch {
    return { kind: 'text', text };
  }
}

export function formatShow(input: {
  deadLetter: DeadLetter;
  dlqTopic: string;
  marker: RedriveMarker | undefined;
  full: boolean;
}): string[] {
  const { deadLetter, marker } = input;
  const { failure } = deadLetter;
  const dash = (value: string | number | undefined) => (value === undefined ? '-' : String(value));
  const lines = [
    `Dead letter ${deadLetter.id} on ${input.dlqTopic}, dead-lettered ${deadLetter.deadLetteredAt.toISOString()}`,
    '',
    ...formatTable(
      ['Failure', ''],
      [
        ['  stage', dash(failure.stage)],
        ['  consumer group', dash(failure.consumerGroup)],
        [
          '  original',
          `${dash(failure.originalTopic)} partition ${dash(failure.originalPartition)} offset ${dash(failure.originalOffset)}`,
        ],
        ['  error code', dash(failure.errorCode)],
        ['  attempts', dash(failure.attempts)],
        ['  first failure', dash(failure.firstFailureAt)],
        ['  last failure', dash(failure.lastFailureAt)],
        [
          '  redriven',
          marker
            ? `${marker.redrivenAt} as event ${marker.eventId}${marker.count > 1 ? ` (${marker.count} times)` : ''}`
            : 'no',
        ],
      ],
    ),
    '  error message',
    ...(failure.errorMessage ?? '-').split('\n').map((line) => `    ${line}`),
    '',
    `Key: ${deadLetter.key === null ? '(none)' : deadLetter.key.toString('utf8')}`,
    '',
    ...formatTable(
      ['Original headers', ''],
      Object.entries(deadLetter.originalHeaders).flatMap(([name, value]) =>
        headerValues(value).map((text) => [`  ${name}`, text]),
      ),
    ),
    '',
  ];
  const value = prettyValue(deadLetter.value);
  const bytes = deadLetter.value?.length ?? 0;
  if (value.kind === 'null') return [...lines, 'Value: (null)'];
  lines.push(`Value (${value.kind}, ${bytes.toLocaleString('en-US')} bytes):`);
  if (input.full || value.text.length <= SHOW_VALUE_CHARS) return [...lines, value.text];
  const rest = value.text.length - SHOW_VALUE_CHARS;
  return [
    ...lines,
    value.text.slice(0, SHOW_VALUE_CHARS),
    `… ${rest.toLocaleString('en-US')} more characters (--full shows all)`,
  ];
}

/** `1 dead letter`, `3 dead letters`. */
export function deadLetters(count: number): string {
  return `${count.toLocaleString('en-US')} dead letter${count === 1 ? '' : 's'}`;
}
