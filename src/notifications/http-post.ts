import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { guardedLookup, isPrivateAddress } from './address-guard.js';
import { READ_LIMIT_BYTES, responseExcerpt } from './response-excerpt.js';

/**
 * One webhook POST, no database. node:http rather than fetch so the SSRF check can sit in the
 * socket's own DNS lookup; it never follows redirects. The whole exchange (connect, headers, the
 * part of the body we read) is bounded by one timeout, and at most READ_LIMIT_BYTES are read.
 */

export const DEFAULT_TIMEOUT_MS = 10_000;
export const USER_AGENT = 'JuhePay-Webhooks/1';

export interface PostOptions {
  timeoutMs: number;
  /** allow loopback / private targets (embedded mode, tests) */
  allowPrivate: boolean;
  /** keep-alive agents; default: node's global agents */
  agents?: { http: http.Agent; https: https.Agent };
}

export interface PostResult {
  /** a 2xx status arrived within the timeout */
  acknowledged: boolean;
  statusCode: number | null;
  latencyMs: number;
  /** the first bytes of the answer (see responseExcerpt) */
  excerpt: string | null;
  error: string | null;
}

export function createAgents(): { http: http.Agent; https: https.Agent } {
  return {
    http: new http.Agent({ keepAlive: true, maxSockets: 256 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 256 }),
  };
}

/** Why a target URL can never be posted to, or undefined when it may be. Pure except isIP. */
export function targetProblem(target: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return `notify_url ${JSON.stringify(target.slice(0, 200))} is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'notify_url must be http or https';
  if (url.username || url.password) return 'notify_url must not carry credentials';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(host) && isPrivateAddress(host)) {
    return `${host} is a private or loopback address (not allowed for webhooks)`;
  }
  return undefined;
}

export function postWebhook(
  target: string,
  body: string,
  headers: Record<string, string>,
  options: PostOptions,
): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const problem = targetProblem(target, options.allowPrivate);
  if (problem) {
    return Promise.resolve({
      acknowledged: false,
      statusCode: null,
      latencyMs: 0,
      excerpt: null,
      error: problem,
    });
  }
  const url = new URL(target);
  const secure = url.protocol === 'https:';
  const payload = Buffer.from(body, 'utf8');
  const signal = AbortSignal.timeout(options.timeoutMs);

  return new Promise<PostResult>((resolve) => {
    let statusCode: number | null = null;
    let location: string | undefined;
    const chunks: Buffer[] = [];
    let read = 0;
    let truncated = false;
    let settled = false;

    const settle = (error: string | null) => {
      if (settled) return;
      settled = true;
      const bytes = Buffer.concat(chunks).subarray(0, READ_LIMIT_BYTES);
      const acknowledged = statusCode !== null && statusCode >= 200 && statusCode < 300;
      let message = error;
      if (!message && statusCode !== null && statusCode >= 300 && statusCode < 400) {
        message = `redirect${location ? ` to ${location.slice(0, 200)}` : ''} not followed`;
      }
      resolve({
        acknowledged,
        statusCode,
        latencyMs: elapsed(),
        excerpt: statusCode === null ? null : responseExcerpt(bytes, truncated),
        // a 2xx whose body we stopped reading is still an acknowledgement
        error: acknowledged ? null : message,
      });
    };

    const request = (secure ? https : http).request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(payload.length),
        'user-agent': USER_AGENT,
        ...headers,
      },
      signal,
      ...(options.agents ? { agent: secure ? options.agents.https : options.agents.http } : {}),
      ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
    });

    request.on('response', (response) => {
      statusCode = response.statusCode ?? null;
      const loc = response.headers.location;
      location = Array.isArray(loc) ? loc[0] : loc;
      response.on('data', (chunk: Buffer) => {
        if (read < READ_LIMIT_BYTES) chunks.push(chunk);
        read += chunk.length;
        if (read > READ_LIMIT_BYTES) {
          truncated = true;
          response.destroy(); // stop reading a huge answer; the socket is not reused
          settle(null);
        }
      });
      response.on('end', () => settle(null));
      response.on('error', (err) => settle(errorMessage(err, options.timeoutMs)));
      response.on('close', () => settle(signal.aborted ? timeoutMessage(options.timeoutMs) : null));
    });
    request.on('error', (err) => settle(errorMessage(err, options.timeoutMs)));
    request.end(payload);
  });
}

function timeoutMessage(timeoutMs: number): string {
  return `timed out after ${timeoutMs} ms`;
}

function errorMessage(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
    return timeoutMessage(timeoutMs);
  }
  const text =
    error instanceof Error
      ? `${(error as NodeJS.ErrnoException).code ?? error.name}: ${error.message}`
      : String(error);
  return text.slice(0, 500);
}
