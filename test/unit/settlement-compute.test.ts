import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromYuanString } from '../../src/core/money.js';
import { settle, type SettlementItem } from '../../src/settlement/compute.js';
import { csvField, payoutCsv, planPayouts, type BankAccount } from '../../src/settlement/payout-file.js';

const item = fc.record({
  merchantId: fc.constantFrom('mch_a', 'mch_b', 'mch_c', 'mch_d'),
  kind: fc.constantFrom('trade' as const, 'refund' as const),
  amount: fc.integer({ min: 0, max: 10_000_000 }),
  fee: fc.integer({ min: 0, max: 30_000 }),
});

const account = (id: string): BankAccount | undefined =>
  id === 'mch_d'
    ? undefined
    : { accountName: `商户 ${id}`, accountNumber: `6222${id.length}0001`, bank: '中国工商银行' };

/** a minimal RFC 4180 reader, to read the file back */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (quoted || (c !== ',' && c !== '\r')) {
      field += c;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++; // the \n of \r\n
    }
  }
  return rows;
}

describe('settlement maths', () => {
  it('settles one merchant: gross − refunds − fees, fees net of the refunded part', () => {
    const items: SettlementItem[] = [
      { merchantId: 'mch_a', kind: 'trade', amount: 10_000, fee: 30 },
      { merchantId: 'mch_a', kind: 'trade', amount: 2_550, fee: 8 },
      { merchantId: 'mch_a', kind: 'refund', amount: 4_000, fee: 12 },
    ];
    expect(settle(items, '2026-12-03', '2026-12-04')).toEqual([
      {
        merchantId: 'mch_a',
        tradeDate: '2026-12-03',
        settlementDate: '2026-12-04',
        tradeCount: 2,
        refundCount: 1,
        gross: 12_550,
        refunds: 4_000,
        fees: 26,
        net: 8_524,
        status: 'pending',
      },
    ]);
  });

  it('net = gross − refunds − fees per merchant, the day sums to its items, whatever their order', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 200 }), fc.infiniteStream(fc.nat()), (items, noise) => {
        const out = settle(items, '2026-12-03', '2026-12-04');
        for (const s of out) expect(s.net).toBe(s.gross - s.refunds - s.fees);
        const expected = items.reduce(
          (t, i) => t + (i.kind === 'trade' ? i.amount - i.fee : -i.amount + i.fee),
          0,
        );
        expect(out.reduce((t, s) => t + s.net, 0)).toBe(expected);
        expect(out.reduce((t, s) => t + s.tradeCount + s.refundCount, 0)).toBe(items.length);
        const shuffled = [...items].sort(() => (noise.next().value % 3) - 1);
        expect(settle(shuffled, '2026-12-03', '2026-12-04')).toEqual(out);
      }),
    );
  });

  it('the payout file pays exactly the non-held positive nets with an account, amounts in yuan that read back to the fen', () => {
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 100 }),
        fc.subarray(['mch_a', 'mch_b', 'mch_c']),
        (items, held) => {
          const settlements = settle(items, '2026-12-03', '2026-12-04', (m) => held.includes(m));
          const plan = planPayouts(settlements, account, (s) => `JUHE-${s.settlementDate}-${s.merchantId}`);
          const rows = readCsv(payoutCsv(plan.rows));
          expect(rows[0]).toEqual(['account_name', 'account_number', 'bank', 'amount', 'reference']);
          const paid = settlements.filter((s) => s.status !== 'held' && s.net > 0 && account(s.merchantId));
          expect(rows.slice(1).map((r) => [r[4], fromYuanString(r[3]!)])).toEqual(
            paid.map((s) => [`JUHE-2026-12-04-${s.merchantId}`, s.net]),
          );
          for (const r of rows.slice(1)) expect(r[3]).toMatch(/^\d+\.\d{2}$/);
          expect(plan.rows.length + plan.skipped.length).toBe(settlements.length);
          for (const s of plan.skipped) {
            const st = settlements.find((x) => x.merchantId === s.merchantId)!;
            expect(s.reason).toBe(
              st.status === 'held' ? 'held' : st.net <= 0 ? 'nothing_to_pay' : 'no_bank_account',
            );
          }
        },
      ),
    );
  });

  it('quotes separators and defuses spreadsheet formulas in names', () => {
    expect(csvField('上海某某, 有限公司')).toBe('"上海某某, 有限公司"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('6222020200000001')).toBe('6222020200000001');
    const csv = payoutCsv([
      {
        accountName: 'A "B"',
        accountNumber: '1',
        bank: '招商银行',
        amount: 5,
        merchantId: 'm',
        reference: 'r',
      },
    ]);
    expect(csv).toBe('account_name,account_number,bank,amount,reference\r\n"A ""B""",1,招商银行,0.05,r\r\n');
  });
});
