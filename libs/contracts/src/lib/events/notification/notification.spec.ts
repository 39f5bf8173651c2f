import { contractOf } from '../../registry';
import { Topic } from '../../topics';
import { NotificationV1Schema } from './value';

const match = {
  subscriptionId: '6f1c2a0e-8a53-4c1e-9d57-0b6a2c1f4e11',
  subscriptionName: 'Donbass watch',
  articleId: '0123456789abcdef0123456789abcdef',
  storyId: 'fedcba9876543210fedcba9876543210',
  publishedAt: '2022-02-22',
  matchedTerms: ['Vladimir Putin'],
  matchedEntities: [
    { id: '5e0ba2a9d2a84e5c8b8c0a8d2b2f3f41', name: 'Vladimir Putin', type: 'PERSON', salience: 0.4 },
  ],
  matchedAt: '2026-11-28T10:00:00.000Z',
};

describe(Topic.NotificationV1, () => {
  it('is produced by notification and consumed by storage', () => {
    const contract = contractOf(Topic.NotificationV1);
    expect(contract.producers).toEqual(['notification']);
    expect(contract.consumers).toEqual(['storage']);
  });

  it('accepts a match and ignores unknown fields (additive evolution)', () => {
    expect(NotificationV1Schema.parse({ ...match, futureField: true })).toEqual(match);
  });

  it.each([
    ['subscriptionId', { subscriptionId: 'not-a-uuid' }],
    ['storyId', { storyId: 'abc' }],
    ['publishedAt', { publishedAt: '2022-02-30' }],
    ['matchedEntities', { matchedEntities: [{ id: 'x', name: 'A', type: 'PERSON', salience: 0.5 }] }],
    ['matchedAt', { matchedAt: 'yesterday' }],
  ])('rejects a bad %s', (field, patch) => {
    const result = NotificationV1Schema.safeParse({ ...match, ...patch });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path[0]).toBe(field);
  });
});
