import { DEFAULT_RETRY_POLICY, type RetryPolicy, backoffMs } from './retry-policy';

describe('backoffMs', () => {
  const policy: RetryPolicy = { maxAttempts: 10, initialBackoffMs: 500, maxBackoffMs: 15_000 };

  /** The exponential ceiling for a failed attempt, capped at maxBackoffMs. */
  const ceilingOf = (p: RetryPolicy, failedAttempt: number) =>
    Math.min(p.maxBackoffMs, p.initialBackoffMs * 2 ** (failedAttempt - 1));

  it('stays within [ceiling / 2, ceiling] for every attempt and any random value', () => {
    const randoms = [0, 1e-9, 0.25, 0.5, 0.75, 0.999999, Math.random(), Math.random()];
    for (let attempt = 1; attempt <= 12; attempt++) {
      const ceiling = ceilingOf(policy, attempt);
      for (const r of randoms) {
        const delay = backoffMs(policy, attempt, () => r);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(Number.isInteger(delay)).toBe(true);
      }
    }
  });

  it('doubles the ceiling with each failed attempt, from initialBackoffMs', () => {
    const max = () => 1;
    expect(backoffMs(policy, 1, max)).toBe(500);
    expect(backoffMs(policy, 2, max)).toBe(1_000);
    expect(backoffMs(policy, 3, max)).toBe(2_000);
    expect(backoffMs(policy, 4, max)).toBe(4_000);
    expect(backoffMs(policy, 5, max)).toBe(8_000);
  });

  it('uses full jitter over the upper half: random 0 gives half the ceiling, random 1 all of it', () => {
    expect(backoffMs(policy, 3, () => 0)).toBe(1_000);
    expect(backoffMs(policy, 3, () => 0.5)).toBe(1_500);
    expect(backoffMs(policy, 3, () => 1)).toBe(2_000);
  });

  it('is capped at maxBackoffMs, also for very late attempts', () => {
    for (const attempt of [6, 7, 10, 50, 1_100, 10_000]) {
      const delay = backoffMs(policy, attempt, () => 1);
      expect(delay).toBe(15_000);
      expect(backoffMs(policy, attempt, () => 0)).toBe(7_500);
    }
  });

  it('caps even the first attempt when initialBackoffMs exceeds maxBackoffMs', () => {
    const inverted: RetryPolicy = { maxAttempts: 3, initialBackoffMs: 1_000, maxBackoffMs: 200 };
    expect(backoffMs(inverted, 1, () => 1)).toBe(200);
    expect(backoffMs(inverted, 1, () => 0)).toBe(100);
  });

  it('uses Math.random by default and stays within the bounds', () => {
    for (let i = 0; i < 200; i++) {
      const delay = backoffMs(DEFAULT_RETRY_POLICY, 3);
      expect(delay).toBeGreaterThanOrEqual(1_000);
      expect(delay).toBeLessThanOrEqual(2_000);
    }
  });

  it('has a sane default policy', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBeGreaterThanOrEqual(1);
    expect(DEFAULT_RETRY_POLICY.initialBackoffMs).toBeGreaterThan(0);
    expect(DEFAULT_RETRY_POLICY.maxBackoffMs).toBeGreaterThanOrEqual(DEFAULT_RETRY_POLICY.initialBackoffMs);
  });
});
