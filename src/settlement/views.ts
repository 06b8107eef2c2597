import type { Selectable } from 'kysely';
import type { MerchantHoldsTable, PayoutsTable, SettlementsTable } from './tables.js';

/** The API objects (CONTRACT §7): amounts in fen, dates yyyy-MM-dd, times ISO 8601. */

export function settlementObject(row: Selectable<SettlementsTable>) {
  return {
    object: 'settlement' as const,
    id: row.id,
    merchant_id: row.merchant_id,
    trade_date: row.trade_date,
    settlement_date: row.settlement_date,
    trade_count: row.trade_count,
    refund_count: row.refund_count,
    gross: Number(row.gross),
    refunds: Number(row.refunds),
    fees: Number(row.fees),
    net: Number(row.net),
    status: row.status,
    hold_reason: row.hold_reason,
    payout_id: row.payout_id,
    created_at: row.created_at.toISOString(),
  };
}

export function payoutObject(row: Selectable<PayoutsTable>) {
  return {
    object: 'payout' as const,
    id: row.id,
    merchant_id: row.merchant_id,
    settlement_date: row.settlement_date,
    amount: Number(row.amount),
    status: row.status,
    bank: row.bank,
    account_name: row.account_name,
    account_no: row.account_no_masked,
    attempts: row.attempts,
    failure_reason: row.failure_reason,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function holdObject(row: Selectable<MerchantHoldsTable>) {
  return {
    object: 'merchant_hold' as const,
    id: row.id,
    merchant_id: row.merchant_id,
    reason: row.reason,
    created_at: row.created_at.toISOString(),
    released_at: row.released_at ? row.released_at.toISOString() : null,
    release_note: row.release_note,
  };
}
