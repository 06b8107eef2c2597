import type { FastifyInstance } from 'fastify';
import { isChannelId } from '../../channels/index.js';
import { handleChannelNotification } from '../notifications.js';
import type { PaymentRouteDeps } from './deps.js';

/**
 * `POST /notify/{channel}/{merchant_id}`: where channels notify JuhePay. The body stays the raw
 * text the channel sent (JSON, XML or a form), because signatures cover the exact bytes.
 */
export async function registerChannelNotifyRoutes(
  app: FastifyInstance,
  ctx: PaymentRouteDeps,
): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.post('/notify/:channel/:merchant_id', { schema: { hide: true } }, async (request, reply) => {
      const { channel, merchant_id } = request.params as { channel: string; merchant_id: string };
      if (!isChannelId(channel) || !ctx.channels.has(channel) || !/^mch_[0-9a-z]{26}$/.test(merchant_id)) {
        return reply.code(404).type('text/plain').send('unknown channel or merchant');
      }
      const { ack } = await handleChannelNotification(
        ctx.db,
        { clock: ctx.clock, publicUrl: ctx.publicUrl, channels: ctx.channels, logger: ctx.logger },
        channel,
        merchant_id,
        { headers: request.headers, body: typeof request.body === 'string' ? request.body : '' },
      );
      return reply.code(ack.status).type(ack.contentType).send(ack.body);
    });
  });
}
