import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../../core/errors.js';
import type { KycInput } from '../kyc/application.js';
import { MCC_CODES } from '../kyc/mcc.js';
import { applicationObject, getApplicationObject, listApplications } from '../onboarding/applications.js';
import { openApplication, submitApplicationTo } from '../onboarding/changes.js';
import { ONBOARDING_CHANNELS } from '../onboarding/state.js';
import type { ChannelName } from '../tables.js';
import type { PlatformContext } from '../../platform/context.js';
import { IdParam, Strict } from '../../http/schemas.js';
import { adminActor, createRoute, listRoute, retrieveRoute, security } from './admin-common.js';

const tags = ['admin: onboarding'];
const Text = (max: number, description?: string) =>
  Type.String({ minLength: 1, maxLength: max, ...(description ? { description } : {}) });
const Channels = Type.Array(Type.Union(ONBOARDING_CHANNELS.map((c) => Type.Literal(c))), {
  minItems: 1,
  maxItems: ONBOARDING_CHANNELS.length,
  uniqueItems: true,
  description: ONBOARDING_CHANNELS.join(' | '),
});

const ApplicationBody = Strict({
  merchant_id: IdParam('mch'),
  legal_name: Text(128, 'the name on the business licence'),
  short_name: Text(64, 'shown to payers in the wallet'),
  license_no: Text(32, 'unified social credit code, 18 characters, GB 32100 check character'),
  legal_person_name: Text(64),
  legal_person_id_no: Text(32, 'resident ID, 18 characters, GB 11643 check digit'),
  contact_phone: Text(32, 'mainland mobile or landline with area code'),
  mcc: Text(8, 'merchant category code; GET /admin/v1/onboarding/mcc-codes lists them'),
  settlement_account: Strict({
    bank_name: Text(64),
    account_name: Text(128, 'corporate: the licence name; personal: the legal person'),
    account_no: Text(40, 'corporate 12–30 digits; personal a 16–19 digit card, Luhn-checked'),
    account_type: Type.Optional(Type.Union([Type.Literal('corporate'), Type.Literal('personal')])),
  }),
});

/** Onboarding (进件): KYC applications, submission to channels, status. */
export function registerAdminOnboardingRoutes(scope: FastifyInstance, ctx: PlatformContext): void {
  const { db } = ctx;

  createRoute(
    scope,
    '/onboarding',
    {
      tags,
      summary:
        'Create an onboarding application (status draft); wrong check characters are 422 naming the field',
      body: ApplicationBody,
    },
    ({ merchant_id, ...input }: KycInput & { merchant_id: string }, by) =>
      openApplication(ctx, merchant_id, input, by),
  );

  listRoute(
    scope,
    '/onboarding',
    {
      tags,
      summary: 'List onboarding applications, newest first',
      prefix: 'apl',
      filters: {
        merchant_id: Type.Optional(IdParam('mch')),
        status: Type.Optional(
          Type.Union(
            ['draft', 'in_progress', 'approved', 'partially_approved', 'rejected'].map((s) =>
              Type.Literal(s),
            ),
          ),
        ),
      },
    },
    (window, q: { merchant_id?: string; status?: string }) =>
      listApplications(db, { ...window, merchantId: q.merchant_id, status: q.status }),
    (r) => applicationObject(r.row, r.channels),
  );

  scope.get(
    '/onboarding/mcc-codes',
    { schema: { tags, summary: 'The merchant category codes applications accept', security } },
    async () => ({
      object: 'list',
      data: Object.entries(MCC_CODES).map(([code, description]) => ({ code, description })),
      has_more: false,
    }),
  );

  retrieveRoute(
    scope,
    '/onboarding/:id',
    {
      tags,
      summary: 'Retrieve an application with its per-channel status, reasons and sub-merchant ids',
      prefix: 'apl',
    },
    (id) => getApplicationObject(db, id),
  );

  scope.post(
    '/onboarding/:id/submit',
    {
      schema: {
        tags,
        summary:
          'Submit an application to channels: each becomes submitted, then auditing, then approved or rejected',
        security,
        params: Strict({ id: IdParam('apl') }),
        body: Strict({ channels: Channels }),
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const { channels } = request.body as { channels: ChannelName[] };
      return submitApplicationTo(ctx, id, channels, adminActor(request));
    },
  );

  scope.post(
    '/onboarding/submit-batch',
    {
      schema: {
        tags,
        summary: 'Submit many applications to channels; each succeeds or fails on its own',
        security,
        body: Strict({
          application_ids: Type.Array(IdParam('apl'), { minItems: 1, maxItems: 100, uniqueItems: true }),
          channels: Channels,
        }),
      },
    },
    async (request) => {
      const body = request.body as { application_ids: string[]; channels: ChannelName[] };
      const results = [];
      for (const id of body.application_ids) {
        try {
          const application = await submitApplicationTo(
            ctx,
            id,
            body.channels,
            adminActor(request),
            'application_ids',
          );
          results.push({ application_id: id, submitted: true, application });
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          results.push({ application_id: id, submitted: false, error: error.toBody().error });
        }
      }
      return {
        object: 'batch_submit_result',
        submitted: results.filter((r) => r.submitted).length,
        failed: results.filter((r) => !r.submitted).length,
        results,
      };
    },
  );
}
