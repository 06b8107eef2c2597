import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveChild } from './protocol.js';

/** Reference floor: node:http with no framework, answering the same small JSON body. */
const body = JSON.stringify({ object: 'ping', ok: true });
const server = createServer((request, response) => {
  if (request.url !== '/ping') {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  serveChild({ port }, () => new Promise((resolve) => server.close(() => resolve())));
});
