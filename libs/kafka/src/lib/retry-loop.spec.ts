import { PermanentError, TransientError } from './errors';
import { type PartitionControl } from './partition-control';
import { runWithRetries } from './retry-loop';
import { type RetryPolicy } from './retry-policy';

const POLICY: RetryPolicy = { maxAttempts: 4, initialBackoffMs: 1, maxBackoffMs: 2 };

function control(overrides: Partial<PartitionControl> = {}): PartitionControl & { heartbeats: number } {
  const state = {
    heartbeats: 0,
    heartbeat: async () => {
      state.heartbeats += 1;
    },
    shouldStop: () => false,
    ...overrides,
  };
  return state;
}

/** Work that fails with the given errors, one per attempt, then succeeds. */
function failing(...errors: unknown[]) {
  const attempts: number[] = [];
  return {
    attempts,
    work: async (attempt: number) => {
      attempts.push(attempt);
      const error = errors[attempt - 1];
      if (error !== undefined) throw error;
    },
  };
}

describe('runWithRetries', () => {
  it('succeeds at once when the work does', async () => {
    const { work, attempts } = failing();
    const onRetry = jest.fn();
    await expect(runWithRetries({ work, policy: POLICY, control: control(), onRetry })).resolves.toEqual({
      status: 'succeeded',
      attempts: 1,
    });
    expect(attempts).toEqual([1]);
    expect(onRetry).not.toHaveBeenCalled();
  });

  it('retries transient failures, heartbeating while it waits, until the work succeeds', async () => {
    const busy = new TransientError('BUSY', 'busy');
    const { work, attempts } = failing(busy, busy);
    const onRetry = jest.fn();
    const partition = control();
    const outcome = await runWithRetries({ work, policy: POLICY, control: partition, onRetry });
    expect(outcome).toEqual({ status: 'succeeded', attempts: 3 });
    expect(attempts).toEqual([1, 2, 3]);
    expect(onRetry.mock.calls).toEqual([
      [{ code: 'BUSY', message: 'busy', retryable: true }, 1],
      [{ code: 'BUSY', message: 'busy', retryable: true }, 2],
    ]);
    expect(partition.heartbeats).toBeGreaterThanOrEqual(2);
  });

  it('gives up after maxAttempts transient failures, with the last error and when failures began', async () => {
    const before = Date.now();
    const { work, attempts } = failing(...Array.from({ length: 10 }, (_, i) => new Error(`bug ${i + 1}`)));
    const outcome = await runWithRetries({ work, policy: POLICY, control: control(), onRetry: jest.fn() });
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(outcome).toMatchObject({
      status: 'failed',
      attempts: 4,
      error: { code: 'UNEXPECTED', message: 'bug 4', retryable: true },
    });
    if (outcome.status !== 'failed') throw new Error('expected a failure');
    expect(outcome.firstFailureAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(outcome.firstFailureAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('does not retry a permanent failure', async () => {
    const { work, attempts } = failing(new PermanentError('BAD', 'never'));
    const onRetry = jest.fn();
    const outcome = await runWithRetries({ work, policy: POLICY, control: control(), onRetry });
    expect(outcome).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'BAD', retryable: false },
    });
    expect(attempts).toEqual([1]);
    expect(onRetry).not.toHaveBeenCalled();
  });

  it('is interrupted, not failed, by a transient failure while the consumer stops', async () => {
    const { work, attempts } = failing(new TransientError('BUSY', 'busy'));
    const outcome = await runWithRetries({
      work,
      policy: POLICY,
      control: control({ shouldStop: () => true }),
      onRetry: jest.fn(),
    });
    expect(outcome).toEqual({ status: 'interrupted' });
    expect(attempts).toEqual([1]);
  });

  it('still fails a permanent failure while the consumer stops: it would fail the same for the next owner', async () => {
    const { work } = failing(new PermanentError('BAD', 'never'));
    const outcome = await runWithRetries({
      work,
      policy: POLICY,
      control: control({ shouldStop: () => true }),
      onRetry: jest.fn(),
    });
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('is interrupted during the backoff when the consumer starts stopping', async () => {
    let stopping = false;
    const { work, attempts } = failing(
      new TransientError('BUSY', 'busy'),
      new TransientError('BUSY', 'busy'),
    );
    const outcome = await runWithRetries({
      work,
      policy: { maxAttempts: 5, initialBackoffMs: 60_000, maxBackoffMs: 60_000 },
      control: control({
        shouldStop: () => stopping,
        heartbeat: async () => {
          stopping = true;
        },
      }),
      onRetry: jest.fn(),
    });
    expect(outcome).toEqual({ status: 'interrupted' });
    expect(attempts).toEqual([1]);
  });

  it('lets a rejoin signal from the coordinator through, so kafkajs can rejoin the group', async () => {
    const rebalance = Object.assign(new Error('The group is rebalancing'), { type: 'REBALANCE_IN_PROGRESS' });
    const { work } = failing(new TransientError('BUSY', 'busy'));
    await expect(
      runWithRetries({
        work,
        policy: { maxAttempts: 5, initialBackoffMs: 50, maxBackoffMs: 50 },
        control: control({
          heartbeat: async () => {
            throw rebalance;
          },
        }),
        onRetry: jest.fn(),
      }),
    ).rejects.toBe(rebalance);
  });

  it('waits through other heartbeat failures', async () => {
    const { work } = failing(new TransientError('BUSY', 'busy'));
    const outcome = await runWithRetries({
      work,
      policy: POLICY,
      control: control({
        heartbeat: async () => {
          throw new Error('Connection closed');
        },
      }),
      onRetry: jest.fn(),
    });
    expect(outcome).toEqual({ status: 'succeeded', attempts: 2 });
  });
});
