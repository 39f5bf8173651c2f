import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';

/**
 * The options service-kit's runService gives the global ValidationPipe (libs/service-kit
 * run-service.ts); tests that parse query strings without HTTP use the same.
 */
export const validationPipe = () =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
  });

/** A query string as Express hands it over (repeated parameters as arrays), parsed into its DTO. */
export async function validatedQuery<T>(
  metatype: new () => T,
  query: Record<string, string | string[]>,
): Promise<T> {
  const metadata: ArgumentMetadata = { type: 'query', metatype, data: undefined };
  return (await validationPipe().transform(query, metadata)) as T;
}
