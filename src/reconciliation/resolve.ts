import { ApiError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import { account, postEntry, postingRules } from '../ledger/index.js';
import { writeAudit } from '../merchants/index.js';
import { inTransaction, type Db } from '../platform/db/index.js';
import { getMismatch, markMismatch } from './mismatches.js';
import type { MismatchRow } from './store.js';

/**
 * An operator's resolution of a mismatch (CONTRACT §7). `adjust` books the difference between
 * what the channel's bill says and what JuhePay booked as an audited ledger adjustment between
 * the channel's receivable and `suspense:reconciliation` (where it waits to be placed: a refund
 * to the payer, a claim at the channel, a merchant credit); `accept` records that no money moves
 * (the pricing was corrected, the next day's bill lists it, …). Both are audited; a mismatch is
 * resolved once.
 */

export type ResolveAction = 'adjust' | 'accept';

const sign = (kind: string, v: number) => (kind === 'refund' ? -v : v);

/** What the channel will settle minus what JuhePay booked for this row, fen (trade +, refund −). */
export function differenceOf(m: MismatchRow): number {
  const net = (amount: number | null, fee: number | null, status: string | null) =>
    amount === null || status !== 'succeeded' ? 0 : sign(m.kind, Number(amount) - Number(fee ?? 0));
  return (
    net(m.channel_amount, m.channel_fee, m.channel_status) -
    net(m.platform_amount, m.platform_fee, m.platform_status)
  );
}

export async function resolveMismatch(
  ctx: { db: Db; clock: Clock },
  id: string,
  body: { action: ResolveAction; note: string },
  requestId?: string,
): Promise<MismatchRow> {
  return inTransaction(ctx.db, async (tx) => {
    const m = await getMismatch(tx, id, true);
    if (!m) throw new ApiError('resource_missing', `no mismatch ${id}`, 'id');
    if (m.status !== 'open') throw new ApiError('state_conflict', `mismatch ${id} is already ${m.status}`);
    const resolution: Record<string, unknown> = { action: body.action, note: body.note, actor: 'admin' };
    if (body.action === 'adjust') {
      const difference = differenceOf(m);
      if (difference === 0)
        throw new ApiError(
          'validation_failed',
          'no money differs on this mismatch: resolve it with accept',
          'action',
        );
      const receivable = account('channel_receivable', m.channel);
      const suspense = account('suspense', 'reconciliation');
      const adjustmentId = newId('adjustment', ctx.clock.nowMs());
      const posted = await postEntry(
        tx,
        postingRules.adjustment({
          adjustmentId,
          debit: difference > 0 ? receivable : suspense,
          credit: difference > 0 ? suspense : receivable,
          amount: Math.abs(difference),
          reason: `reconciliation ${m.type} ${m.id}: ${body.note}`,
          actor: 'admin',
          merchantId: null,
          merchantNet: 0,
        }),
        ctx.clock.now(),
      );
      Object.assign(resolution, {
        adjustment_id: adjustmentId,
        entry_id: posted.entryId,
        amount: difference,
      });
    }
    const after = await markMismatch(tx, m.id, 'resolved', resolution, ctx.clock.now());
    await writeAudit(
      tx,
      {
        actor: 'admin',
        requestId,
        action: 'mismatch.resolve',
        objectType: 'mismatch',
        objectId: m.id,
        merchantId: m.merchant_id ?? undefined,
        before: { status: m.status },
        after: { status: after.status, resolution },
      },
      ctx.clock,
    );
    return after;
  });
}
