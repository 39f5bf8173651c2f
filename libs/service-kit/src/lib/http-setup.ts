import { ValidationPipe } from '@nestjs/common';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';

import { type MetricsService, httpMetricsMiddleware } from '@newsflow/observability';

/**
 * Largest JSON body any route takes. The biggest legitimate ones are S3 event notifications (AWS caps a
 * relayed SNS or EventBridge message at 256 KB; MinIO sends one record per request) and subscriptions
 * (a filter of a few KB), so 1 MiB leaves room without letting a client make the process buffer more.
 */
export const HTTP_BODY_LIMIT = '1mb';

export interface OpenApiDefinition {
  title: string;
  description: string;
  /** The API wants `Authorization: Bearer <API key>`: documented, and "Authorize" in the docs UI. */
  bearerAuth?: boolean;
}

/**
 * What every service's HTTP API gets, before any route is registered: request metrics, security
 * headers, a bounded JSON body and validation of every DTO (unknown properties are refused, not
 * silently dropped).
 */
export function configureHttp(
  app: NestExpressApplication,
  metrics: Pick<MetricsService, 'httpRequestDuration' | 'httpRequestsInFlight'>,
): void {
  // First, so that requests refused by the middleware below (413, 400) are counted and timed too.
  app.use(httpMetricsMiddleware(metrics));
  // Names the framework to scanners and helps nobody.
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // Services speak plain HTTP (TLS ends at the proxy, or there is none on 127.0.0.1); this
          // directive would make browsers fetch Swagger UI's scripts over https and break /api/docs.
          upgradeInsecureRequests: null,
        },
      },
    }),
  );
  app.useBodyParser('json', { limit: HTTP_BODY_LIMIT });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
    }),
  );
}

/** The OpenAPI document at /api/docs-json and Swagger UI at /api/docs (its own files: helmet's CSP holds). */
export function publishOpenApi(app: NestExpressApplication, openApi: OpenApiDefinition): void {
  const builder = new DocumentBuilder()
    .setTitle(openApi.title)
    .setDescription(openApi.description)
    .setVersion('1');
  if (openApi.bearerAuth) builder.addBearerAuth({ type: 'http', scheme: 'bearer' }, 'apiKey');
  const document = SwaggerModule.createDocument(app, builder.build());
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
