import type { Clock } from '../../core/clock.js';
import { ApiError } from '../../core/errors.js';
import { inTransaction, type Db } from '../../platform/db/index.js';
import type { SecretBox } from '../../platform/secret-box.js';
import { writeAuditBy, type AuditActor } from '../audit.js';
import { normaliseKyc, validateKyc, type KycInput } from '../kyc/application.js';
import type { ChannelName } from '../tables.js';
import { getMerchant } from '../tenancy.js';
import { createApplication, submitApplication } from './applications.js';

/** Onboarding changes an operator makes: each one transaction with its audit entry. */

interface Deps {
  db: Db;
  box: SecretBox;
  clock: Clock;
}

/** A draft application; KYC with a wrong check character is a 422 naming the field. */
export async function openApplication(deps: Deps, merchantId: string, input: KycInput, by: AuditActor) {
  const { db, box, clock } = deps;
  const kyc = normaliseKyc(input);
  const problem = validateKyc(kyc, clock.now());
  if (problem) throw new ApiError('validation_failed', problem.message, problem.param);
  return inTransaction(db, async (tx) => {
    await getMerchant(tx, merchantId, 'merchant_id');
    const created = await createApplication(tx, box, merchantId, kyc, clock);
    await writeAuditBy(tx, by, clock, {
      action: 'onboarding.create',
      objectType: 'onboarding_application',
      objectId: created.id,
      merchantId,
      after: created,
    });
    return created;
  });
}

/** Sends an application to channels (their jobs do the calls); `param` names the id in errors. */
export async function submitApplicationTo(
  deps: Deps,
  id: string,
  channels: readonly ChannelName[],
  by: AuditActor,
  param = 'id',
) {
  const { db, box, clock } = deps;
  return inTransaction(db, async (tx) => {
    const change = await submitApplication(tx, box, id, channels, clock, param);
    await writeAuditBy(tx, by, clock, {
      action: 'onboarding.submit',
      objectType: 'onboarding_application',
      objectId: id,
      merchantId: change.after.merchant_id,
      before: change.before,
      after: change.after,
    });
    return change.after;
  });
}
