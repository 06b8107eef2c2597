import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { serveChild } from './protocol.js';

/** Reference: bare Fastify 5, one route, no hooks, no logger, no schema. */
const app = Fastify({ logger: false });
app.get('/ping', async () => ({ object: 'ping', ok: true }));
await app.listen({ port: 0, host: '127.0.0.1' });
const { port } = app.server.address() as AddressInfo;
serveChild({ port }, () => app.close());
