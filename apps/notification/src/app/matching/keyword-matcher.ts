export interface KeywordSubscription {
  id: string;
  keywords: string[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A keyword matches as a whole word or phrase, ignoring case: "NATO" matches "NATO's", not "NATOs". */
export function keywordPattern(keyword: string): RegExp {
  const words = keyword.trim().split(/\s+/).map(escapeRegExp).join('\\s+');
  return new RegExp(`(?<![\\p{L}\\p{N}])${words}(?![\\p{L}\\p{N}])`, 'iu');
}

/** The subscriptions an article matches, with the keywords that matched each. */
export function matchKeywords(
  text: string,
  subscriptions: readonly KeywordSubscription[],
): { subscriptionId: string; matchedKeywords: string[] }[] {
  const normalized = text.normalize('NFKC');
  return subscriptions.flatMap((subscription) => {
    const matchedKeywords = subscription.keywords.filter((keyword) =>
      keywordPattern(keyword).test(normalized),
    );
    return matchedKeywords.length > 0 ? [{ subscriptionId: subscription.id, matchedKeywords }] : [];
  });
}
