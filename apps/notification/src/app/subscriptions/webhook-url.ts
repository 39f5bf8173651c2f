import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

import { isForbiddenAddress } from '../delivery/target-guard';

export type ResolveHost = (hostname: string) => Promise<string[]>;

const resolveAll: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * Why a webhook URL is refused, or undefined when it is fine: http(s) only, no credentials in it, and
 * (unless private targets are allowed) no host that is or resolves to a loopback, private, link-local
 * or metadata address. The same address checks run again at every delivery, at connect time, so a
 * name that changes its answer later (DNS rebinding) is still refused then.
 */
export async function webhookUrlProblem(
  text: string,
  options: { allowPrivateTargets: boolean; resolve?: ResolveHost },
): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `must be http or https, not ${url.protocol}`;
  if (url.username !== '' || url.password !== '') {
    return 'must not contain credentials (they would be stored and logged with the URL)';
  }
  if (options.allowPrivateTargets) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    return isForbiddenAddress(host) ? `${host} is a private or reserved address` : undefined;
  }
  let addresses: string[];
  try {
    addresses = await (options.resolve ?? resolveAll)(host);
  } catch {
    return `${host} does not resolve`;
  }
  const forbidden = addresses.find(isForbiddenAddress);
  if (forbidden !== undefined) return `${host} resolves to ${forbidden}, a private or reserved address`;
  return addresses.length === 0 ? `${host} has no address` : undefined;
}
