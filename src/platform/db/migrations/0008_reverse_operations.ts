import type { Kysely } from 'kysely';
import { runEach } from './run-each.js';

// A reverse (撤销) of a payment-code order is an operation of its own, with its own outcome: one
// row per order, written when JuhePay decides to reverse (in the order's lock), with the values
// every attempt resends (requested_at: UnionPay's cancel txnTime), its attempts and its result.
// While it is pending, a channel's "paid" does not make the order succeeded; once confirmed, the
// order is closed and stays so. A trade paid and then fully refunded outside JuhePay is a payment
// exception of its own kind.
const KIND_CHECK = 'payment_exceptions_kind_check';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    `
    create table order_reverses (
      order_id text primary key references orders(id),
      channel text not null,
      status text not null check (status in ('pending', 'succeeded', 'failed')),
      action text check (action in ('close', 'refund')),
      requested_at timestamptz not null,
      attempts integer not null default 0,
      last_attempt_at timestamptz,
      channel_reverse_no text,
      result_code text,
      result_message text,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      confirmed_at timestamptz
    )
    `,
    `create index order_reverses_pending on order_reverses (requested_at) where status = 'pending'`,
    `alter table payment_exceptions drop constraint ${KIND_CHECK}`,
    `alter table payment_exceptions add constraint ${KIND_CHECK}
       check (kind in ('late_payment', 'amount_mismatch', 'refunded_at_channel'))`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    `delete from payment_exceptions where kind = 'refunded_at_channel'`,
    `alter table payment_exceptions drop constraint ${KIND_CHECK}`,
    `alter table payment_exceptions add constraint ${KIND_CHECK}
       check (kind in ('late_payment', 'amount_mismatch'))`,
    `drop table order_reverses`,
  ]);
}
