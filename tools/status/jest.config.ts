import type { Config } from 'jest';

const preset = require('../../jest.preset.js');

const config: Config = {
  ...preset,
  displayName: 'status',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};

export default config;
