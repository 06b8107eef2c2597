import { randomToken } from '../../core/ids.js';
import type { Cache } from '../../platform/cache/cache.js';
import type { CashierWallet } from './wallet-rules.js';

/**
 * The customer's cashier session: a random id in a cookie, the payer ids learned through the
 * channels' OAuth and the pending OAuth `state` kept in the cache (shared by every node).
 */

export const SESSION_COOKIE = 'juhe_cashier';
const SESSION_TTL_MS = 30 * 60 * 1000;
const STATE_TTL_MS = 10 * 60 * 1000;

export function readSessionId(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    const value = rest.join('=');
    if (name === SESSION_COOKIE && /^[A-Za-z0-9_-]{32}$/.test(value)) return value;
  }
  return undefined;
}

export function sessionCookie(id: string): string {
  return `${SESSION_COOKIE}=${id}; Path=/pay; HttpOnly; SameSite=Lax; Max-Age=${SESSION_TTL_MS / 1000}`;
}

export class CashierSession {
  constructor(
    private readonly cache: Cache,
    readonly id: string = randomToken(24),
  ) {}

  payerId(wallet: CashierWallet): Promise<string | null> {
    return this.cache.get(`cashier:${this.id}:payer:${wallet}`);
  }

  rememberPayer(wallet: CashierWallet, payerId: string): Promise<void> {
    return this.cache.set(`cashier:${this.id}:payer:${wallet}`, payerId, SESSION_TTL_MS);
  }

  async newState(orderId: string): Promise<string> {
    const state = randomToken(12);
    await this.cache.set(`cashier:${this.id}:state:${state}`, orderId, STATE_TTL_MS);
    return state;
  }

  /** true once for a state this session issued for this order */
  async consumeState(state: string, orderId: string): Promise<boolean> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(state)) return false;
    const key = `cashier:${this.id}:state:${state}`;
    const issuedFor = await this.cache.get(key);
    await this.cache.delete(key);
    return issuedFor === orderId;
  }
}
