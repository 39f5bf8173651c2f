import type { Config } from 'jest';

const preset = require('../../jest.preset.js');

const config: Config = {
  ...preset,
  displayName: 'faults',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};

export default config;
