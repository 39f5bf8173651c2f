import { randomBytes } from 'node:crypto';

import { ConfigError, loadConfig } from '@newsflow/config';

import { NotificationConfigSchema } from '../notification.config';
import { assertEncryptionKeyForEnvironment } from './encryption.config';

const load = (env: Record<string, string>) => {
  const config = loadConfig(NotificationConfigSchema, env);
  assertEncryptionKeyForEnvironment(config);
  return config;
};

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('the configuration loaded');
}

describe('NOTIFICATION_ENCRYPTION_KEY', () => {
  it('is required in production, and the error names it', () => {
    const error = configErrorOf({ NODE_ENV: 'production' });
    expect(error.problems).toEqual([
      {
        variable: 'NOTIFICATION_ENCRYPTION_KEY',
        message: expect.stringContaining('required when NODE_ENV=production'),
      },
    ]);
    expect(error.message).toContain('NOTIFICATION_ENCRYPTION_KEY');
  });

  it('is optional elsewhere (secrets are then kept as plaintext, with a warning at start)', () => {
    expect(load({}).NOTIFICATION_ENCRYPTION_KEY).toBeUndefined();
    expect(load({ NODE_ENV: 'test' }).NOTIFICATION_ENCRYPTION_KEY).toBeUndefined();
  });

  it('is parsed into 32 bytes, with previous keys for rotation', () => {
    const [current, previous] = [randomBytes(32), randomBytes(32)];
    const config = load({
      NODE_ENV: 'production',
      NOTIFICATION_ENCRYPTION_KEY: current.toString('base64'),
      NOTIFICATION_ENCRYPTION_OLD_KEYS: ` ${previous.toString('base64')} ,`,
    });
    expect(config.NOTIFICATION_ENCRYPTION_KEY).toEqual(current);
    expect(config.NOTIFICATION_ENCRYPTION_OLD_KEYS).toEqual([previous]);
  });

  it('a malformed key is refused by name, without echoing it', () => {
    const error = configErrorOf({ NOTIFICATION_ENCRYPTION_KEY: 'hunter2hunter2' });
    expect(error.problems[0]?.variable).toBe('NOTIFICATION_ENCRYPTION_KEY');
    expect(error.message).not.toContain('hunter2');
    expect(configErrorOf({ NOTIFICATION_ENCRYPTION_OLD_KEYS: 'short' }).problems[0]?.variable).toBe(
      'NOTIFICATION_ENCRYPTION_OLD_KEYS',
    );
  });

  it('WEBHOOK_SECRET_OVERLAP_HOURS defaults to 24 and takes fractions', () => {
    expect(load({}).WEBHOOK_SECRET_OVERLAP_HOURS).toBe(24);
    expect(load({ WEBHOOK_SECRET_OVERLAP_HOURS: '0.5' }).WEBHOOK_SECRET_OVERLAP_HOURS).toBe(0.5);
    expect(configErrorOf({ WEBHOOK_SECRET_OVERLAP_HOURS: '0' }).problems[0]?.variable).toBe(
      'WEBHOOK_SECRET_OVERLAP_HOURS',
    );
  });
});
