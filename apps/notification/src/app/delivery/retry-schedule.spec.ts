import { nextRetryDelaySeconds } from './retry-schedule';

describe('nextRetryDelaySeconds', () => {
  const schedule = [5, 300, 1800];

  it('follows the schedule, with jitter within ±20%', () => {
    expect(nextRetryDelaySeconds(schedule, 1, () => 0.5)).toBe(5);
    expect(nextRetryDelaySeconds(schedule, 2, () => 0)).toBe(240);
    expect(nextRetryDelaySeconds(schedule, 3, () => 1)).toBe(2160);
  });

  it('gives up after the last step', () => {
    expect(nextRetryDelaySeconds(schedule, 4)).toBeNull();
  });
});
