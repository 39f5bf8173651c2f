/** The webhook body of a digest: the matches of one window of one subscription, oldest first. */
export interface DigestPayload {
  type: 'article.digest';
  timestamp: string;
  data: {
    subscription: { id: string; name: string };
    window: { start: string; end: string };
    count: number;
    matches: object[];
  };
}

/**
 * Each match was queued as an `article.matched` body (`{ type, timestamp, data: { subscription,
 * article, ... } }`); the digest keeps each one's `data` without repeating the subscription.
 */
export function digestPayload(input: {
  subscription: { id: string; name: string };
  windowStart: Date;
  windowEnd: Date;
  matches: readonly object[];
  now?: Date;
}): DigestPayload {
  return {
    type: 'article.digest',
    timestamp: (input.now ?? new Date()).toISOString(),
    data: {
      subscription: input.subscription,
      window: { start: input.windowStart.toISOString(), end: input.windowEnd.toISOString() },
      count: input.matches.length,
      matches: input.matches.map(matchData),
    },
  };
}

function matchData(payload: object): object {
  const data: unknown = (payload as { data?: unknown }).data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return payload;
  return Object.fromEntries(Object.entries(data).filter(([key]) => key !== 'subscription'));
}
