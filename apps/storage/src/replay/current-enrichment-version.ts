/**
 * The enrichment version the enrichment service in this checkout produces, for `replay --reenrich`.
 *
 * Storage may not depend on enrichment's projects (scope rule in eslint.config.mjs), and this is the
 * one exception: the constant lives in @newsflow/enrichment, and a replay that guessed it would select
 * the wrong articles. It is imported lazily, so only `--reenrich` without `--all` or
 * `--enrichment-version` pays for loading the enrichment library (about a second and 150 MB for its
 * language models). The clean fix is to move the constant to @newsflow/contracts, beside the
 * `enrichmentVersion` field it versions; this file then becomes a plain import.
 */
export async function currentEnrichmentVersion(): Promise<number> {
  // eslint-disable-next-line @nx/enforce-module-boundaries -- see above: one constant, loaded lazily
  const { ENRICHMENT_VERSION } = await import('@newsflow/enrichment');
  return ENRICHMENT_VERSION;
}
