import { sql } from 'kysely';
import { toYuanString } from '../core/money.js';
import type { Queryable } from '../platform/db/index.js';
import { chinaDayRange } from './config.js';
import { csvField } from './payout-file.js';

/**
 * Party share statements: what each party (the institution, its bank, each service provider) earned
 * on the trades of a period of China dates — each order's margin share as fixed when it succeeded
 * (fees' order snapshot), less the shares returned by its refunds so far. A statement drawn later
 * counts refunds made since: it says when it was drawn.
 */

export type Party = 'institution' | 'bank' | 'service_provider';

export interface StatementLine {
  party: Party;
  id: string;
  trades: number;
  /** the trades' amounts, less what was refunded on them */
  amount: number;
  /** the merchants' fees on them, net of fee refunds */
  fees: number;
  /** the party's share of the margin (fen; may be negative for the institution, which absorbs losses) */
  share: number;
}

export async function partyStatements(db: Queryable, from: string, to: string): Promise<StatementLine[]> {
  const start = chinaDayRange(from).start;
  const end = chinaDayRange(to).end;
  const rows = await sql<{
    institution_id: string;
    service_provider_id: string | null;
    trades: string | number;
    amount: string | number;
    fees: string | number;
    provider: string | number;
    bank: string | number;
    institution: string | number;
  }>`
    select f.institution_id, f.service_provider_id, count(*) as trades,
           sum(f.amount - f.refunded_amount) as amount, sum(f.fee - f.fee_refunded) as fees,
           sum(f.provider_amount - f.provider_refunded) as provider,
           sum(f.bank_amount - f.bank_refunded) as bank,
           sum(f.institution_amount - f.institution_refunded) as institution
    from order_fees f join orders o on o.id = f.order_id
    where o.status = 'succeeded' and o.paid_at >= ${start} and o.paid_at < ${end}
    group by f.institution_id, f.service_provider_id
  `.execute(db);
  const lines = new Map<string, StatementLine>();
  const addTo = (party: Party, id: string, r: (typeof rows.rows)[number], share: number) => {
    const key = `${party}:${id}`;
    const line = lines.get(key) ?? { party, id, trades: 0, amount: 0, fees: 0, share: 0 };
    line.trades += Number(r.trades);
    line.amount += Number(r.amount);
    line.fees += Number(r.fees);
    line.share += share;
    lines.set(key, line);
  };
  for (const r of rows.rows) {
    addTo('institution', r.institution_id, r, Number(r.institution));
    addTo('bank', r.institution_id, r, Number(r.bank));
    if (r.service_provider_id) addTo('service_provider', r.service_provider_id, r, Number(r.provider));
  }
  const order: Record<Party, number> = { institution: 0, bank: 1, service_provider: 2 };
  return [...lines.values()].sort((a, b) => order[a.party] - order[b.party] || (a.id < b.id ? -1 : 1));
}

export const STATEMENT_CSV_HEADER = ['party', 'id', 'from', 'to', 'trades', 'amount', 'fees', 'share'];

export function statementCsv(lines: readonly StatementLine[], from: string, to: string): string {
  const out = [STATEMENT_CSV_HEADER.join(',')];
  for (const l of lines)
    out.push(
      [
        l.party,
        l.id,
        from,
        to,
        String(l.trades),
        toYuanString(l.amount),
        toYuanString(l.fees),
        toYuanString(l.share),
      ]
        .map(csvField)
        .join(','),
    );
  return `${out.join('\r\n')}\r\n`;
}

export const SETTLEMENT_CSV_HEADER = [
  'settlement_id',
  'merchant_id',
  'trade_date',
  'settlement_date',
  'trades',
  'refunds_count',
  'gross',
  'refunds',
  'fees',
  'net',
  'status',
  'hold_reason',
  'payout_id',
];

export function settlementCsvLine(s: {
  id: string;
  merchant_id: string;
  trade_date: string;
  settlement_date: string;
  trade_count: number;
  refund_count: number;
  gross: number;
  refunds: number;
  fees: number;
  net: number;
  status: string;
  hold_reason: string | null;
  payout_id: string | null;
}): string {
  return [
    s.id,
    s.merchant_id,
    s.trade_date,
    s.settlement_date,
    String(s.trade_count),
    String(s.refund_count),
    toYuanString(Number(s.gross)),
    toYuanString(Number(s.refunds)),
    toYuanString(Number(s.fees)),
    toYuanString(Number(s.net)),
    s.status,
    s.hold_reason ?? '',
    s.payout_id ?? '',
  ]
    .map(csvField)
    .join(',');
}
