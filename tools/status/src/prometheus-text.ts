/** One sample of the Prometheus text exposition format: `name{label="value",...} value [timestamp]`. */
export interface Sample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

export class ExpositionError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;

/**
 * Parses the text format (version 0.0.4) that every service's /metrics answers. `# HELP` and `# TYPE`
 * lines and comments are skipped; histogram and summary series come out as the samples they are
 * (`_bucket` with `le`, `_sum`, `_count`). A malformed line throws, naming it.
 */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    samples.push(parseSampleLine(line, index + 1));
  }
  return samples;
}

function parseSampleLine(line: string, lineNumber: number): Sample {
  const cursor = { at: 0 };
  const name = match(NAME, line, cursor);
  if (name === undefined) throw new ExpositionError(lineNumber, `no metric name in "${line}"`);
  const labels = line[cursor.at] === '{' ? parseLabels(line, cursor, lineNumber) : {};
  const [value, ...rest] = line.slice(cursor.at).trim().split(/\s+/);
  // An optional timestamp (integer milliseconds) may follow the value.
  if (
    value === undefined ||
    value === '' ||
    rest.length > 1 ||
    (rest[0] !== undefined && !/^-?\d+$/.test(rest[0]))
  ) {
    throw new ExpositionError(lineNumber, `expected a value (and an optional timestamp) after ${name}`);
  }
  return { name, labels, value: parseValue(value, lineNumber) };
}

function parseLabels(line: string, cursor: { at: number }, lineNumber: number): Record<string, string> {
  const labels: Record<string, string> = {};
  cursor.at += 1; // {
  for (;;) {
    skipSpaces(line, cursor);
    if (line[cursor.at] === '}') {
      cursor.at += 1;
      return labels;
    }
    const label = match(LABEL_NAME, line, cursor);
    if (label === undefined || line[cursor.at] !== '=' || line[cursor.at + 1] !== '"') {
      throw new ExpositionError(lineNumber, `malformed label at column ${cursor.at + 1}`);
    }
    cursor.at += 2; // ="
    labels[label] = readQuoted(line, cursor, lineNumber);
    skipSpaces(line, cursor);
    if (line[cursor.at] === ',') cursor.at += 1;
    else if (line[cursor.at] !== '}')
      throw new ExpositionError(lineNumber, `expected , or } after label ${label}`);
  }
}

/** A label value up to its closing quote, with the format's three escapes: \\, \" and \n. */
function readQuoted(line: string, cursor: { at: number }, lineNumber: number): string {
  let value = '';
  for (; cursor.at < line.length; cursor.at++) {
    const char = line[cursor.at];
    if (char === '"') {
      cursor.at += 1;
      return value;
    }
    if (char === '\\') {
      cursor.at += 1;
      const escaped = line[cursor.at];
      value += escaped === 'n' ? '\n' : (escaped ?? '');
    } else {
      value += char;
    }
  }
  throw new ExpositionError(lineNumber, 'unterminated label value');
}

function parseValue(text: string, lineNumber: number): number {
  // Prometheus reads these case-insensitively (Go's ParseFloat), and prom-client writes NaN as "Nan".
  switch (text.toLowerCase()) {
    case '+inf':
    case 'inf':
      return Number.POSITIVE_INFINITY;
    case '-inf':
      return Number.NEGATIVE_INFINITY;
    case 'nan':
      return Number.NaN;
  }
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new ExpositionError(lineNumber, `"${text}" is not a number`);
  return value;
}

function match(pattern: RegExp, line: string, cursor: { at: number }): string | undefined {
  pattern.lastIndex = cursor.at;
  const found = pattern.exec(line);
  if (!found) return undefined;
  cursor.at += found[0].length;
  return found[0];
}

function skipSpaces(line: string, cursor: { at: number }): void {
  while (line[cursor.at] === ' ') cursor.at += 1;
}
