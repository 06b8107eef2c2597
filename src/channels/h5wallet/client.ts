import { randomBytes } from 'node:crypto';
import { ChannelError } from '../channel.js';
import {
  asWalletMessage,
  signWalletMessage,
  verifyWalletMessage,
  type H5Wallet,
  type WalletMessage,
} from './protocol/h5-wallet-protocol.js';
import type { H5WalletSettings } from './config.js';

/**
 * The H5 wallet API client: signs each request (with a fresh nonce), POSTs it as JSON, and
 * trusts an answer only when its signature verifies with the same key and it names our merchant.
 * Business refusals come back as { status, message } for the adapter to read; transport trouble,
 * 5xx and untrusted answers throw ChannelError.
 */

export interface WalletAnswer {
  status: number;
  message: WalletMessage;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** `network` when the wallet was never reached (safe to send again), `timeout` when the outcome is unknown. */
export function fetchFailureKind(error: unknown): 'network' | 'timeout' {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) return 'network';
    e = (e as { cause?: unknown }).cause;
  }
  return 'timeout';
}

export async function callWallet(
  wallet: H5Wallet,
  settings: H5WalletSettings,
  path: string,
  fields: WalletMessage,
  timeoutMs: number,
): Promise<WalletAnswer> {
  const url = new URL(path, settings.baseUrl);
  const body = signWalletMessage(
    { ...fields, mch_id: settings.merchantId, nonce: randomBytes(8).toString('hex') },
    settings.key,
  );
  let status: number;
  let text: string;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = res.status;
    text = await res.text();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ChannelError(fetchFailureKind(error), `${wallet} ${path}: no answer (${reason})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const message = asWalletMessage(
    parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined,
  );
  if (status >= 500 && (!message || message.code === 'SYSTEM_ERROR'))
    throw new ChannelError(
      'system_error',
      `${wallet} ${path}: HTTP ${status} ${String(message?.message ?? '')}`.trim(),
      String(message?.code ?? status),
    );
  if (!message)
    throw new ChannelError(
      status >= 400 && status < 500 ? 'config' : 'system_error',
      `${wallet} ${path}: HTTP ${status} without a JSON answer; check base_url`,
    );
  if (status === 401 || message.code === 'SIGN_ERROR')
    throw new ChannelError('config', `${wallet} refused our signature; check the key`, 'SIGN_ERROR');
  if (!verifyWalletMessage(message, settings.key))
    throw new ChannelError('config', `${wallet} ${path}: the answer does not verify with the configured key`);
  if (message.code === 'MCH_NOT_EXIST')
    throw new ChannelError(
      'config',
      `${wallet} does not know merchant ${settings.merchantId}`,
      'MCH_NOT_EXIST',
    );
  if (message.mch_id !== settings.merchantId)
    throw new ChannelError(
      'config',
      `${wallet} ${path}: the answer names merchant ${String(message.mch_id)}, not ours`,
    );
  return { status, message };
}
