/**
 * Pure rules for static plates (码牌): code format, amounts, the status state machine and what
 * the /q page shows. No I/O here; plates.ts applies these to the database.
 */

export const PLATE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ'; // no 0/O, 1/I: read aloud and typed by people
export const PLATE_CODE_LENGTH = 16; // 16 × 5 bits = 80 bits: unguessable
export const PLATE_CODE_PATTERN = `^[${PLATE_ALPHABET}]{${PLATE_CODE_LENGTH}}$`;
const PLATE_CODE = new RegExp(PLATE_CODE_PATTERN);

/** Order amounts (CONTRACT §2): integer fen, 1 … 100 000 000. */
export const MIN_AMOUNT_FEN = 1;
export const MAX_AMOUNT_FEN = 100_000_000;
/** One batch is one print run; the CLI can make this many, the admin API fewer per call. */
export const MAX_BATCH_SIZE = 10_000;
export const MAX_API_BATCH_SIZE = 1_000;

export type PlateStatus = 'blank' | 'bound' | 'disabled';

export function isPlateCode(value: unknown): value is string {
  return typeof value === 'string' && PLATE_CODE.test(value);
}

/**
 * What a person typed or a URL carried, as a code: upper case, spaces and dashes dropped (the
 * sheet prints codes in groups of four). Undefined when it cannot be a plate code.
 */
export function normalizePlateCode(input: string): string | undefined {
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  return isPlateCode(code) ? code : undefined;
}

/** "ABCD EFGH JKLM NPQR": how the code is printed under the QR code. */
export function formatPlateCode(code: string): string {
  return code.replace(/(.{4})(?=.)/g, '$1 ');
}

export function plateUrl(publicUrl: string, code: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/q/${code}`;
}

export function isValidAmountFen(value: unknown): value is number {
  return (
    typeof value === 'number' &&
    Number.isSafeInteger(value) &&
    value >= MIN_AMOUNT_FEN &&
    value <= MAX_AMOUNT_FEN
  );
}

/**
 * The amount a customer typed on the /q page, in yuan ("12", "12.5", "12.34", "¥12.34"), as fen.
 * Exact (no floats); undefined for anything else, including amounts out of range.
 */
export function parseYuanInput(text: string): number | undefined {
  const m = /^[¥￥]?\s*(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const fen = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return isValidAmountFen(fen) ? fen : undefined;
}

/** "12.34" for fen 1234; the pages and the sheet show yuan. */
export function formatYuan(fen: number): string {
  return `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

export interface PlateState {
  status: PlateStatus;
  merchantId: string | null;
  storeId: string | null;
}

export type PlateAction =
  | { type: 'bind'; merchantId: string; storeId: string | null }
  | { type: 'unbind' }
  | { type: 'disable' }
  | { type: 'enable' };

export type Transition = { ok: true; next: PlateState; changed: boolean } | { ok: false; reason: string };

const same = (a: PlateState, b: PlateState) =>
  a.status === b.status && a.merchantId === b.merchantId && a.storeId === b.storeId;

function result(from: PlateState, next: PlateState): Transition {
  return { ok: true, next, changed: !same(from, next) };
}

/**
 * The plate status machine. blank ⇄ bound by bind/unbind; any plate can be disabled (a lost or
 * damaged plate) and enabled again, keeping its binding. A bound plate is never silently moved to
 * another merchant: that would send one merchant's customers' money to another, so it must be
 * unbound first. Repeating an action that already holds is a no-op, so retries are safe.
 */
export function transition(from: PlateState, action: PlateAction): Transition {
  switch (action.type) {
    case 'bind': {
      if (from.status === 'disabled') return { ok: false, reason: 'the plate is disabled; enable it first' };
      const target = { status: 'bound' as const, merchantId: action.merchantId, storeId: action.storeId };
      if (from.status === 'bound' && !same(from, target)) {
        return { ok: false, reason: 'the plate is bound to another merchant or store; unbind it first' };
      }
      return result(from, target);
    }
    case 'unbind':
      // a disabled plate stays disabled; it only loses its binding
      return result(from, {
        status: from.status === 'disabled' ? 'disabled' : 'blank',
        merchantId: null,
        storeId: null,
      });
    case 'disable':
      return result(from, { ...from, status: 'disabled' });
    case 'enable':
      if (from.status !== 'disabled') return result(from, from);
      return result(from, { ...from, status: from.merchantId ? 'bound' : 'blank' });
  }
}

/** The invariant every stored plate keeps (also a CHECK constraint in the database). */
export function isConsistent(state: PlateState): boolean {
  if (state.storeId !== null && state.merchantId === null) return false;
  if (state.status === 'blank') return state.merchantId === null;
  if (state.status === 'bound') return state.merchantId !== null;
  return true;
}

export type PageState = 'not_activated' | 'disabled' | 'merchant_unavailable' | 'ready';

/** What /q shows for a plate, given its merchant's status (null when the plate is unbound). */
export function pageState(plate: PlateState, merchantStatus: string | null): PageState {
  if (plate.status === 'disabled') return 'disabled';
  if (plate.status === 'blank' || plate.merchantId === null) return 'not_activated';
  return merchantStatus === 'active' ? 'ready' : 'merchant_unavailable';
}
