import { Body, Controller, Get, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

import { MetricsService } from '@newsflow/observability';

import { configureHttp, publishOpenApi } from './http-setup';

class CreateNoteDto {
  @ApiProperty()
  @IsString()
  @MaxLength(2_000_000)
  text!: string;
}

@Controller('api/notes')
class NotesController {
  @Post()
  create(@Body() body: CreateNoteDto): { text: string } {
    return { text: body.text };
  }

  @Get(':id')
  find(@Param('id') id: string): { id: string } {
    return { id };
  }
}

@Module({ controllers: [NotesController] })
class NotesModule {}

describe('configureHttp', () => {
  let app: NestExpressApplication;
  let base: string;
  const metrics = new MetricsService();

  beforeAll(async () => {
    // As runService creates it: no body parser of Nest's own, configureHttp adds the bounded one.
    app = await NestFactory.create<NestExpressApplication>(NotesModule, {
      bodyParser: false,
      logger: false,
      forceCloseConnections: true,
    });
    configureHttp(app, metrics);
    publishOpenApi(app, { title: 'Notes', description: 'test', bearerAuth: true });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    if (typeof address !== 'object' || address === null) throw new Error('no port');
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await app.close();
  });

  const post = (body: string) =>
    fetch(`${base}/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('accepts a valid body', async () => {
    const response = await post(JSON.stringify({ text: 'hello' }));
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ text: 'hello' });
  });

  it('refuses an unknown property with 400 naming it', async () => {
    const response = await post(JSON.stringify({ text: 'hello', isAdmin: true }));
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('property isAdmin should not exist');
  });

  it('refuses a body over 1 MiB with 413, without reading it into a handler', async () => {
    const response = await post(JSON.stringify({ text: 'x'.repeat(1_100_000) }));
    expect(response.status).toBe(413);
    // Nest's JSON error, not Express's HTML page with a stack trace.
    expect(await response.json()).toEqual({ statusCode: 413, message: 'request entity too large' });
    // Just under the limit still goes through, so the limit is the one configured, not a smaller one.
    expect((await post(JSON.stringify({ text: 'x'.repeat(1_000_000) }))).status).toBe(201);
  });

  it('sets security headers and does not name the framework', async () => {
    const response = await post(JSON.stringify({ text: 'hello' }));
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
  });

  it('serves Swagger UI under the CSP: no inline script, every asset from this origin', async () => {
    const page = await fetch(`${base}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    // script-src 'self' blocks inline scripts: Swagger UI must load all of its code from files.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, inline] of scripts) {
      expect(attributes).toMatch(/\bsrc="/);
      expect(inline?.trim()).toBe('');
    }
    const assets = [...html.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((match) => match[1] ?? '');
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      const url = new URL(asset, `${base}/api/docs/`);
      expect(url.origin).toBe(base);
      expect((await fetch(url)).status).toBe(200);
    }
    // The init script fetches the document from this origin too (connect-src falls back to 'self').
    const document = await fetch(`${base}/api/docs-json`);
    expect(document.status).toBe(200);
    expect(Object.keys(((await document.json()) as { paths: object }).paths)).toEqual([
      '/api/notes',
      '/api/notes/{id}',
    ]);
  });

  it('times every request by method, route template and status; unrouted ones as "unmatched"', async () => {
    const durations = () =>
      metrics.registry.getSingleMetricAsString('newsflow_http_request_duration_seconds');
    const count = async (labels: string) =>
      Number(
        new RegExp(`^newsflow_http_request_duration_seconds_count\\{${labels}\\} (\\d+)$`, 'm').exec(
          await durations(),
        )?.[1] ?? 0,
      );
    const before = {
      found: await count('method="GET",route="/api/notes/:id",status_code="200"'),
      unmatched: await count('method="GET",route="unmatched",status_code="404"'),
      refused: await count('method="POST",route="/api/notes",status_code="400"'),
    };
    for (const id of ['1', '22', 'a-long-id'])
      expect((await fetch(`${base}/api/notes/${id}`)).status).toBe(200);
    for (const path of ['/nothing/here', '/api/notes/1/2', '/x?y=z'])
      expect((await fetch(`${base}${path}`)).status).toBe(404);
    expect((await post(JSON.stringify({ text: 1 }))).status).toBe(400);

    // A request is recorded when its answer has been handed to the socket, which may be just after the
    // client read it: wait for the last one to be counted (in flight back to 0) before reading counts.
    const inFlight = async () =>
      /^newsflow_http_requests_in_flight (\d+)$/m.exec(
        await metrics.registry.getSingleMetricAsString('newsflow_http_requests_in_flight'),
      )?.[1];
    for (let tries = 0; (await inFlight()) !== '0' && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await inFlight()).toBe('0');
    expect(await count('method="GET",route="/api/notes/:id",status_code="200"')).toBe(before.found + 3);
    expect(await count('method="GET",route="unmatched",status_code="404"')).toBe(before.unmatched + 3);
    expect(await count('method="POST",route="/api/notes",status_code="400"')).toBe(before.refused + 1);
    const text = await durations();
    // The route is the template: no id or raw path makes a series of its own.
    expect(text).not.toMatch(/a-long-id|nothing|route="\/x/);
  });
});
