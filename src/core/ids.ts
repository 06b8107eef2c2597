import { randomFillSync } from 'node:crypto';

/**
 * Prefixed, sortable ids: `ord_` + 10 chars of millisecond time + 16 random chars, in Crockford
 * base32 (lower case). Ids created later sort after earlier ones; within one millisecond the
 * random part is incremented so ids from one process stay strictly increasing.
 */

export const ID_PREFIXES = {
  order: 'ord',
  refund: 'rfd',
  event: 'evt',
  merchant: 'mch',
  app: 'app',
  institution: 'ins',
  serviceProvider: 'isp',
  store: 'sto',
  terminal: 'trm',
  plate: 'plt',
  plateBatch: 'pbt',
  job: 'job',
  request: 'req',
  application: 'apl',
  exception: 'exc',
  ledgerEntry: 'btx',
  adjustment: 'adj',
  settlement: 'stl',
  payout: 'po',
  hold: 'hld',
  riskListEntry: 'rle',
  riskRule: 'rul',
  riskDecision: 'rdc',
  reconciliation: 'rec',
  mismatch: 'mis',
  billFile: 'bil',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const TIME_LEN = 10;
const RANDOM_LEN = 16;

let lastMs = -1;
let lastRandom: number[] = [];

function encodeTime(ms: number): string {
  let out = '';
  let value = ms;
  for (let i = 0; i < TIME_LEN; i++) {
    out = ALPHABET[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
}

/**
 * Random bytes from a pool refilled 4 KiB at a time (as Node's randomUUID does): one call into
 * the CSPRNG per request was a tenth of a signed API call's CPU (bench/http-auth). The view is
 * only valid until the next call: read it at once, never keep it.
 */
const POOL = Buffer.alloc(4096);
let poolOffset = POOL.length;
function pooledRandom(size: number): Buffer {
  if (size > POOL.length) return randomFillSync(Buffer.alloc(size));
  if (poolOffset + size > POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const view = POOL.subarray(poolOffset, poolOffset + size);
  poolOffset += size;
  return view;
}

function freshRandom(): number[] {
  const bytes = pooledRandom(RANDOM_LEN);
  return Array.from(bytes, (b) => b % 32);
}

function increment(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i--) {
    if ((next[i] ?? 0) < 31) {
      next[i] = (next[i] ?? 0) + 1;
      return next;
    }
    next[i] = 0;
  }
  return freshRandom(); // overflow of 80 bits inside one millisecond: practically unreachable
}

export function newId(kind: IdKind, clockMs: number = Date.now()): string {
  // a fractional ms would index the alphabet with a fraction; NaN would poison lastMs for good
  const nowMs = Math.floor(clockMs);
  if (!Number.isSafeInteger(nowMs) || nowMs < 0) throw new RangeError(`invalid id time: ${clockMs}`);
  if (nowMs <= lastMs) {
    lastRandom = increment(lastRandom);
  } else {
    lastMs = nowMs;
    lastRandom = freshRandom();
  }
  const ms = Math.max(nowMs, lastMs);
  return `${ID_PREFIXES[kind]}_${encodeTime(ms)}${lastRandom.map((d) => ALPHABET[d]).join('')}`;
}

/** digits of an id block that its owner numbers itself (32^10 ids) */
export const ID_BLOCK_DIGITS = 10;

/**
 * The first 20 characters (after the prefix) of a block of ids that the caller completes with
 * ID_BLOCK_DIGITS base32 digits of its own, e.g. a row number in one SQL statement. The block's
 * leading digits come after every id this process has made, and every later id comes after the
 * whole block, so a block never meets another id — even when a clock ahead of real time keeps
 * the generator inside one millisecond.
 */
export function newIdBlock(kind: IdKind, clockMs: number = Date.now()): string {
  const id = newId(kind, clockMs);
  const head = RANDOM_LEN - ID_BLOCK_DIGITS;
  const full = (digits: number[]) => [...digits.slice(0, head), ...Array<number>(ID_BLOCK_DIGITS).fill(31)];
  // past every id that shares the current leading digits, then claim all ids under the next ones
  lastRandom = full(increment(full(lastRandom)));
  const leading = lastRandom
    .slice(0, head)
    .map((d) => ALPHABET[d])
    .join('');
  return `${id.slice(0, -RANDOM_LEN)}${leading}`;
}

const ID_BODY = new RegExp(`^[${ALPHABET}]{${TIME_LEN + RANDOM_LEN}}$`);

export function isId(kind: IdKind, value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const prefix = `${ID_PREFIXES[kind]}_`;
  return value.startsWith(prefix) && ID_BODY.test(value.slice(prefix.length));
}

/**
 * The millisecond time an id was made (its first 10 base32 characters), or undefined when the
 * value is not an id of that kind. Channels whose protocols key a transaction by its creation
 * time (UnionPay txnTime) read it back from the id instead of storing it.
 */
export function idTimestampMs(kind: IdKind, value: string): number | undefined {
  if (!isId(kind, value)) return undefined;
  let ms = 0;
  for (const ch of value.slice(ID_PREFIXES[kind].length + 1, ID_PREFIXES[kind].length + 1 + TIME_LEN))
    ms = ms * 32 + ALPHABET.indexOf(ch);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** Random token for secrets and nonces: url-safe base64 of `bytes` random bytes. */
export function randomToken(bytes = 24): string {
  return pooledRandom(bytes).toString('base64url');
}
