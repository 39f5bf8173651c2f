import type { Config } from 'jest';

const preset = require('../../jest.preset.js');

const config: Config = {
  ...preset,
  displayName: 'dlq',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};

export default config;
