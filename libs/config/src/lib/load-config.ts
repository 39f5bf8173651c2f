import { type z } from 'zod';

import { type DatabaseTlsEnv, databaseTlsProblems } from './database-tls-env';
import { type KafkaSecurityEnv, kafkaSecurityProblems } from './kafka-security-env';

export interface ConfigProblem {
  variable: string;
  message: string;
}

/** Thrown at boot when the environment is not a valid configuration; names every offending variable. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';

  constructor(readonly problems: readonly ConfigProblem[]) {
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
  if (result.success) {
    const problems = crossVariableProblems(result.data);
    if (problems.length === 0) return result.data;
    throw new ConfigError(problems);
  }
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      variable: issue.path.length > 0 ? issue.path.join('.') : '(environment)',
      message: issue.message,
    })),
  );
}

/**
 * Rules between variables of the shared schemas. They run here rather than as refinements of
 * KafkaEnvSchema or DatabaseEnvSchema because services compose their schemas with
 * `.extend(KafkaEnvSchema.shape)`, which keeps the fields and drops object-level refinements.
 * A rule applies when the parsed config has its group's always-present (defaulted) key.
 */
function crossVariableProblems(config: unknown): ConfigProblem[] {
  if (typeof config !== 'object' || config === null) return [];
  const problems: ConfigProblem[] = [];
  // The casts are safe: a parsed config holds these keys only when its schema has the whole group.
  if ('KAFKA_SSL' in config) problems.push(...kafkaSecurityProblems(config as KafkaSecurityEnv));
  if ('DATABASE_URL' in config && typeof config.DATABASE_URL === 'string') {
    problems.push(...databaseTlsProblems(config as DatabaseTlsEnv & { DATABASE_URL: string }));
  }
  return problems;
}
