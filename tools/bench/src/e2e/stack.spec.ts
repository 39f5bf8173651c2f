import { articleIdOfWebhook } from './stack';

describe('articleIdOfWebhook', () => {
  it('reads data.article.id of an article.matched body', () => {
    const body = JSON.stringify({ type: 'article.matched', data: { article: { id: 'a'.repeat(32) } } });
    expect(articleIdOfWebhook(body)).toBe('a'.repeat(32));
  });

  it.each([
    ['a digest', JSON.stringify({ type: 'digest', data: { article: { id: 'x' } } })],
    ['no article', JSON.stringify({ type: 'article.matched', data: {} })],
    ['a numeric id', JSON.stringify({ type: 'article.matched', data: { article: { id: 7 } } })],
    ['not JSON', '<html>'],
  ])('gives undefined for %s', (_name, body) => {
    expect(articleIdOfWebhook(body)).toBeUndefined();
  });
});
