import type { Kysely } from 'kysely';
import { runEach } from './run-each.js';

// A refund can be `abnormal`: the channel took the money from the merchant but the customer's
// account could not take it (WeChat ABNORMAL). It stays counted as refunded; `abnormal_at` says
// since when (the amount is in amount_refunded from then on, whatever happens next), and the
// operator's redirection (apply-abnormal-refund) is remembered without the card's details.
const STATUS_CHECK = 'refunds_status_check';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    `alter table refunds drop constraint ${STATUS_CHECK}`,
    `alter table refunds add constraint ${STATUS_CHECK}
       check (status in ('pending', 'succeeded', 'failed', 'abnormal'))`,
    `alter table refunds add column abnormal_at timestamptz`,
    `alter table refunds add column abnormal_applied_at timestamptz`,
    `alter table refunds add column abnormal_target text
       check (abnormal_target in ('USER_BANK_CARD', 'MERCHANT_BANK_CARD'))`,
    `create index refunds_abnormal on refunds (created_at) where status = 'abnormal'`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runEach(db, [
    `drop index refunds_abnormal`,
    `alter table refunds drop column abnormal_target`,
    `alter table refunds drop column abnormal_applied_at`,
    `alter table refunds drop column abnormal_at`,
    `alter table refunds drop constraint ${STATUS_CHECK}`,
    `alter table refunds add constraint ${STATUS_CHECK}
       check (status in ('pending', 'succeeded', 'failed'))`,
  ]);
}
