import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../http/context.js';

/** Plate batches, sheets and binding under /admin/v1. */
export function registerPlateAdminRoutes(_scope: FastifyInstance, _ctx: AppContext): void {}

/** The static plate pages: GET/POST /q/{plate_code} (CONTRACT §4). */
export function registerPlatePages(_app: FastifyInstance, _ctx: AppContext): void {}
