import { type ArticleIngestedV1, Topic } from '@newsflow/contracts';

import { sampleArticle } from '../app/testing/storage-events';
import { type ReplayPublisher, type ReplayRun, requestsBySize, runReplay } from './replay-runner';
import { type ReplayItem } from './stored-article';
import { type ReplaySelection } from './stored-article-reader';

type Ingested = typeof Topic.ArticleIngestedV1;

const selection: ReplaySelection<Ingested> = {
  topic: Topic.ArticleIngestedV1,
  filter: { from: '2022-02-01', to: '2022-02-28' },
};

const valid = (article: ArticleIngestedV1): ReplayItem<Ingested> => ({
  ok: true,
  id: article.id,
  payload: article,
});

class RecordingPublisher implements ReplayPublisher {
  readonly requests: { topic: string; keys: string[] }[] = [];
  failOnCall: number | undefined;

  async publishMany(topic: string, requests: readonly { key: string }[]): Promise<void> {
    if (this.requests.length + 1 === this.failOnCall) throw new Error('broker went away');
    this.requests.push({ topic, keys: requests.map((request) => request.key) });
  }
}

function fakeRun(pages: ReplayItem<Ingested>[][], overrides: Partial<ReplayRun<Ingested>> = {}) {
  const events: string[] = [];
  const publisher = new RecordingPublisher();
  let closed = false;
  const run: ReplayRun<Ingested> = {
    reader: {
      // Generic in the interface; this fake only serves the ingested topic.
      pages: async function* () {
        try {
          for (const [index, page] of pages.entries()) {
            events.push(`read ${index}`);
            yield page;
          }
        } finally {
          closed = true;
        }
      } as ReplayRun<Ingested>['reader']['pages'],
    },
    publisher,
    selection,
    progress: {
      advance: (count) => events.push(`advance ${count}`),
      note: (line) => events.push(`note ${line}`),
    },
    ...overrides,
  };
  return { run, publisher, events, isClosed: () => closed };
}

describe('runReplay', () => {
  it('publishes every valid item keyed by article id, and reports the invalid ones', async () => {
    const [a, b, c] = [sampleArticle(), sampleArticle(), sampleArticle()];
    const { run, publisher, events, isClosed } = fakeRun([
      [valid(a), { ok: false, id: 'bad1', problems: 'lede: Too small' }],
      [valid(b), valid(c)],
    ]);
    const result = await runReplay(run);
    expect(result).toEqual({ published: 3, skipped: 1, interrupted: false });
    expect(publisher.requests).toEqual([
      { topic: Topic.ArticleIngestedV1, keys: [a.id] },
      { topic: Topic.ArticleIngestedV1, keys: [b.id, c.id] },
    ]);
    expect(events).toContain('note skipped article bad1: lede: Too small');
    expect(isClosed()).toBe(true);
  });

  it('reads the next page while the current one is being published', async () => {
    const { run, events } = fakeRun([[valid(sampleArticle())], [valid(sampleArticle())]]);
    await runReplay(run);
    expect(events.indexOf('read 1')).toBeLessThan(events.indexOf('advance 1'));
  });

  it('stops before the next request when asked, and says it was interrupted', async () => {
    let requests = 0;
    const { run, publisher, isClosed } = fakeRun(
      [[valid(sampleArticle())], [valid(sampleArticle())], [valid(sampleArticle())]],
      { stopRequested: () => ++requests > 2 },
    );
    expect(await runReplay(run)).toEqual({ published: 2, skipped: 0, interrupted: true });
    expect(publisher.requests).toHaveLength(2);
    expect(isClosed()).toBe(true);
  });

  it('fails with the publish error and closes the reader', async () => {
    const { run, publisher, isClosed } = fakeRun([[valid(sampleArticle())], [valid(sampleArticle())]]);
    publisher.failOnCall = 2;
    await expect(runReplay(run)).rejects.toThrow('broker went away');
    expect(isClosed()).toBe(true);
  });

  it('fails with a read error even when it happens during a publish', async () => {
    const publisher = new RecordingPublisher();
    const run: ReplayRun<Ingested> = {
      ...fakeRun([]).run,
      publisher,
      reader: {
        pages: async function* () {
          yield [valid(sampleArticle())];
          throw new Error('connection terminated');
        } as ReplayRun<Ingested>['reader']['pages'],
      },
    };
    await expect(runReplay(run)).rejects.toThrow('connection terminated');
    expect(publisher.requests).toHaveLength(1);
  });
});

describe('requestsBySize', () => {
  it('keeps requests under the size, an oversized payload alone', () => {
    const small = sampleArticle();
    const big = sampleArticle({ text: 'x'.repeat(5_000) });
    const request = (article: ArticleIngestedV1) => ({ key: article.id, payload: article });
    const smallBytes = Buffer.byteLength(JSON.stringify(small)) + small.id.length;
    const chunks = requestsBySize(
      [request(small), request(small), request(big), request(small)],
      smallBytes * 2 + 10,
    );
    expect(chunks.map((chunk) => chunk.length)).toEqual([2, 1, 1]);
    expect(requestsBySize([], 100)).toEqual([]);
  });
});
