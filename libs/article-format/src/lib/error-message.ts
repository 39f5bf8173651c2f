/**
 * The message of anything thrown. Duck-typed rather than `instanceof Error`: errors from Node internals
 * (zlib) belong to another realm under Jest and in vm contexts, and would be printed as "Error: …".
 */
export function errorMessage(error: unknown): string {
  if (
    typeof error === 'object' &&
    error !== null &&
    'message' in error &&
    typeof error.message === 'string'
  ) {
    return error.message;
  }
  return String(error);
}
