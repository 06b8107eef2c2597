import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** the exact body bytes as text: what merchant signatures cover */
    rawBody: string;
  }
}

/** Marks a body that did not parse; rejected after authentication so unsigned garbage gets a 401 first. */
const INVALID_JSON = Symbol('invalid json');

export const BODY_LIMIT = 64 * 1024;

export function registerJsonBody(app: FastifyInstance): void {
  app.decorateRequest('rawBody', '');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: BODY_LIMIT },
    (request, body, done) => {
      const text = body as string;
      request.rawBody = text;
      if (text === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch {
        done(null, INVALID_JSON);
      }
    },
  );
}

export function rejectInvalidJson(request: FastifyRequest): void {
  if (request.body === INVALID_JSON) throw new ApiError('body_invalid_json');
}
