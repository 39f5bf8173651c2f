import { type z } from 'zod';

/** Thrown at boot when the environment is not a valid configuration; names every offending variable. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';

  constructor(readonly problems: readonly { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Environment = Record<string, string | undefined>;

/**
 * Validates the environment once, at boot, into a typed object. The schema's keys are the
 * environment variable names, so an error message can name the variable to fix.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Environment = process.env): z.infer<S> {
  // Empty strings mean "unset" for env vars: `FOO= npm start` should fall back to the default.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      variable: issue.path.length > 0 ? issue.path.join('.') : '(environment)',
      message: issue.message,
    })),
  );
}
