import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pingDatabase } from '../platform/db/index.js';
import type { AppContext } from './context.js';

const CHECK_TIMEOUT_MS = 2000;

async function check(probe: () => Promise<void>): Promise<'ok' | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([probe().then(() => 'ok' as const), timeout]);
  } catch (error) {
    return error instanceof Error ? error.message : 'failed';
  } finally {
    clearTimeout(timer);
  }
}

const Checks = Type.Object({ database: Type.String(), cache: Type.String(), stream: Type.String() });

export function registerHealthRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process answers',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: database, cache and stream answer, and the node is not shutting down',
        response: {
          200: Type.Object({ status: Type.String(), checks: Checks }),
          503: Type.Object({ status: Type.String(), checks: Checks }),
        },
      },
    },
    async (_request, reply) => {
      const [database, cache, stream] = await Promise.all([
        check(() => pingDatabase(ctx.db)),
        check(() => ctx.cache.ping()),
        check(() => ctx.stream.ping()),
      ]);
      const checks = { database, cache, stream };
      const ready = !ctx.lifecycle.shuttingDown && Object.values(checks).every((c) => c === 'ok');
      return reply.code(ready ? 200 : 503).send({
        status: ctx.lifecycle.shuttingDown ? 'shutting_down' : ready ? 'ready' : 'not_ready',
        checks,
      });
    },
  );

  app.get(
    '/metrics',
    { schema: { tags: ['operations'], summary: 'Prometheus metrics', hide: false } },
    async (_request, reply) => {
      reply.type(ctx.metrics.registry.contentType);
      return ctx.metrics.registry.metrics();
    },
  );
}
