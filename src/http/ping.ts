import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

/** `GET /v1/ping`: a signed no-op so merchants can check their signing code against the server. */
export function registerPingRoute(scope: FastifyInstance): void {
  scope.get(
    '/ping',
    {
      schema: {
        tags: ['utilities'],
        summary: 'Check request signing: answers who you are, signed',
        security: [{ merchantSignature: [] }],
        response: {
          200: Type.Object({
            object: Type.Literal('ping'),
            app_id: Type.String(),
            merchant_id: Type.String(),
          }),
        },
      },
    },
    async (request) => ({
      object: 'ping' as const,
      app_id: request.merchant!.appId,
      merchant_id: request.merchant!.merchantId,
    }),
  );
}
