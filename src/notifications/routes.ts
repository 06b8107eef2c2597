import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../http/context.js';

/** Merchant-side webhook routes under /v1 (GET /v1/events, resend). */
export function registerEventRoutes(_scope: FastifyInstance, _ctx: AppContext): void {}

/** Operator-side webhook routes under /admin/v1. */
export function registerWebhookAdminRoutes(_scope: FastifyInstance, _ctx: AppContext): void {}
