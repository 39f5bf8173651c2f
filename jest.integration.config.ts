/**
 * Integration and end-to-end tests: they talk to the real Kafka broker and Postgres that
 * `npm test` (tools/dev/test.mjs) starts, and are never part of the per-project unit runs.
 */
import type { Config } from 'jest';

const preset = require('./jest.preset.js');

const config: Config = {
  ...preset,
  displayName: 'integration',
  rootDir: '.',
  testMatch: ['<rootDir>/{apps,libs,tools}/**/*.int-spec.ts', '<rootDir>/apps/**/*.e2e-spec.ts'],
  testTimeout: 120_000,
  maxWorkers: 1,
};

export default config;
