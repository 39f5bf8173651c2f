import { loadConfig } from '@newsflow/config';

import { ServiceEnvSchema } from './http-env';

describe('ServiceEnvSchema', () => {
  it('defaults to the service port on loopback with JSON logs', () => {
    expect(loadConfig(ServiceEnvSchema(3002), {})).toEqual({
      PORT: 3002,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    });
  });

  it('names a bad port and a bad log level', () => {
    expect(() => loadConfig(ServiceEnvSchema(3000), { PORT: '70000', LOG_LEVEL: 'loud' })).toThrow(
      /PORT[\s\S]*LOG_LEVEL|LOG_LEVEL[\s\S]*PORT/,
    );
  });
});
