/**
 * The enrichment version the enrichment service of this release produces (`enrichment.enrichmentVersion`).
 * It lives in the contract, beside the field it versions, so a consumer can tell outdated stored results
 * (for `replay --reenrich`) without depending on the enricher. Bump it when the enricher's output changes.
 *
 * 3: keywords ranked against the stream's frequencies, near-duplicate stories, tinyld's default model.
 */
export const CURRENT_ENRICHMENT_VERSION = 3;
