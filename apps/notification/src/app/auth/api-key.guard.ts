import { type IncomingHttpHeaders } from 'node:http';

import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { ApiKeyRepository } from '../api-keys/api-key.repository';
import { IS_PUBLIC } from './public.decorator';

/**
 * Probes and scrapes, served by the shared observability module (which cannot know this guard). The
 * OpenAPI documents are served outside Nest's routing and never reach a guard.
 */
const PUBLIC_PATHS = new Set(['/health', '/metrics']);

/** What the guard reads of Express's request and writes on its response. */
interface HttpRequest {
  path: string;
  headers: IncomingHttpHeaders;
}
interface HttpResponse {
  setHeader(name: string, value: string): void;
}

/**
 * Every HTTP route of the notification service needs `Authorization: Bearer <API key>` unless it is
 * marked `@Public()`. Registered globally (APP_GUARD), so controllers added later are covered without
 * doing anything. A missing, malformed, unknown or revoked key gets 401 before any handler runs.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Kafka handlers are not requests from clients.
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) {
      return true;
    }
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    if (PUBLIC_PATHS.has(request.path.replace(/\/+$/, ''))) return true;

    const key = bearerToken(request.headers.authorization);
    const refuse = (message: string): never => {
      http.getResponse<HttpResponse>().setHeader('WWW-Authenticate', 'Bearer realm="newsflow"');
      throw new UnauthorizedException(message);
    };
    if (key === undefined) return refuse('an API key is needed: send Authorization: Bearer <key>');
    const record = await this.apiKeys.authenticate(key);
    if (!record) return refuse('the API key is not valid (unknown or revoked)');
    return true;
  }
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
