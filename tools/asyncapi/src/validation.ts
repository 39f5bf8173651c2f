/**
 * Checks an AsyncAPI document with Ajv: against the official AsyncAPI 3.0.0 JSON Schema, and the
 * document's own `$ref`s (which schema validation does not follow).
 */
import asyncApiSpecs from '@asyncapi/specs';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeAjvError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(root)' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  const detail =
    'additionalProperty' in params
      ? ` (unknown key "${String(params['additionalProperty'])}")`
      : 'allowedValues' in params
        ? ` (allowed: ${JSON.stringify(params['allowedValues'])})`
        : 'allowedValue' in params
          ? ` (allowed: ${JSON.stringify(params['allowedValue'])})`
          : '';
  return `${where} ${error.message ?? 'is invalid'}${detail}`;
}

/**
 * Returns a function that validates a document against the AsyncAPI 3.0.0 schema of @asyncapi/specs
 * and returns readable errors (none when valid).
 *
 * - The schema is the `schemasWithoutId['3.0.0']` bundle: every `$ref` in it is internal
 *   (`#/definitions/...`), the draft-07 meta-schema included. The `schemas['3.0.0']` bundle instead
 *   embeds the draft-07 meta-schema under its official `$id`, which Ajv already registers, and Ajv
 *   refuses to compile it ("resolves to more than one schema").
 * - `strict: false`: Ajv's strict mode lints the *schema* (not the data), and the official schema fails
 *   almost every such check (an unknown `example` keyword, `additionalItems` without tuple `items`,
 *   keywords without `type`, `required` names without `properties`, union types). None of them changes
 *   what the schema accepts. The one strict check that would matter, an unknown `format` silently
 *   ignored, is caught by `formatWarnings`: ajv-formats provides every format the schema uses
 *   (uri, uri-reference, email, regex...), and Ajv logs a warning for any other.
 * - `allErrors`: report every problem at once, not only the first.
 */
export function createAsyncApiValidator(): {
  validate: (document: unknown) => string[];
  formatWarnings: readonly string[];
} {
  const warnings: string[] = [];
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    logger: {
      log: () => undefined,
      warn: (...args: unknown[]) => warnings.push(args.map(String).join(' ')),
      error: (...args: unknown[]) => warnings.push(args.map(String).join(' ')),
    },
  });
  addFormats(ajv);
  const validateSchema = ajv.compile(asyncApiSpecs.schemasWithoutId['3.0.0']);
  const validate = (document: unknown): string[] =>
    validateSchema(document) ? [] : [...new Set((validateSchema.errors ?? []).map(describeAjvError))];
  return { validate, formatWarnings: warnings.filter((warning) => /format/i.test(warning)) };
}

/** The value at a local JSON pointer (`#/components/schemas/X`), or undefined when there is none. */
export function resolvePointer(document: unknown, pointer: string): unknown {
  if (!pointer.startsWith('#')) return undefined;
  const segments = pointer
    .slice(1)
    .split('/')
    .slice(1)
    .map((segment) => decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = document;
  for (const segment of segments) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isRecord(node)) node = node[segment];
    else return undefined;
  }
  return node;
}

/** Every `$ref` value in the document, with the path where it occurs. */
export function collectRefs(node: unknown, path = ''): { path: string; ref: string }[] {
  if (Array.isArray(node)) return node.flatMap((item, index) => collectRefs(item, `${path}/${index}`));
  if (!isRecord(node)) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string'
      ? [{ path, ref: value }]
      : collectRefs(value, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`),
  );
}

/** `$ref`s that point nowhere in the document (or outside it), described. */
export function danglingRefs(document: unknown): string[] {
  return collectRefs(document)
    .filter(({ ref }) => resolvePointer(document, ref) === undefined)
    .map(({ path, ref }) => `${path || '(root)'}: $ref "${ref}" resolves to nothing in the document`);
}

/**
 * A copy of `schema` with every local `$ref` replaced by what it points to in `document`, so the
 * schema can be compiled on its own. Refuses cycles (the contracts have none).
 */
export function inlineRefs(schema: unknown, document: unknown, seen: readonly string[] = []): unknown {
  if (Array.isArray(schema)) return schema.map((item) => inlineRefs(item, document, seen));
  if (!isRecord(schema)) return schema;
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    if (seen.includes(ref)) throw new Error(`cyclic $ref ${[...seen, ref].join(' -> ')}`);
    const target = resolvePointer(document, ref);
    if (target === undefined) throw new Error(`$ref "${ref}" resolves to nothing`);
    return inlineRefs(target, document, [...seen, ref]);
  }
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, inlineRefs(value, document, seen)]),
  );
}
