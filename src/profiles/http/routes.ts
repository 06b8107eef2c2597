import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../../core/errors.js';
import { Identifier, Strict, Text } from '../../http/schemas.js';
import type { PlatformContext } from '../../platform/context.js';
import { operatorTags, putTag } from '../definitions.js';
import { customerSubject } from '../events.js';
import { readProfile, readProfileSummary } from '../reader.js';

/** CONTRACT §9 over HTTP: a merchant's own customers, any subject for operators, operator tags. */

const ViewQuery = Strict({
  view: Type.Optional(Type.Union([Type.Literal('full'), Type.Literal('summary')])),
});
const CustomerParam = Strict({ customer_id: Identifier({ minLength: 1, maxLength: 64 }) });
const SubjectParam = Strict({ subject: Identifier({ minLength: 3, maxLength: 200, pattern: '^[^:]+:.+$' }) });
const TagNameParam = Strict({ name: Identifier({ minLength: 1, maxLength: 40 }) });
/** The shape only; parseTagDefinition checks every field and names the one at fault. */
const TagBody = Strict({
  description: Type.Optional(Text({ maxLength: 500 })),
  sources: Type.Array(Type.Unknown()),
  value: Type.Unknown(),
  window: Type.Optional(Type.Unknown()),
  prior: Type.Optional(Type.Unknown()),
});

async function profileOf(ctx: PlatformContext, subject: string, view: string | undefined) {
  if (view === 'summary') {
    const summary = await readProfileSummary(ctx.cache, subject);
    if (Object.keys(summary.tags).length === 0)
      throw new ApiError('resource_missing', `no profile for ${subject}`);
    return { object: 'profile', subject, view: 'summary', tags: summary.tags };
  }
  const profile = await readProfile(ctx.db, subject, ctx.clock.nowMs());
  if (!profile) throw new ApiError('resource_missing', `no profile for ${subject}`);
  return profile;
}

export function registerProfileMerchantRoutes(scope: FastifyInstance, ctx: PlatformContext): void {
  scope.get(
    '/profiles/:customer_id',
    {
      schema: {
        tags: ['profiles'],
        security: [{ merchantSignature: [] }],
        summary: "One of the merchant's customers' profile (view=summary: the serving cache's tops)",
        params: CustomerParam,
        querystring: ViewQuery,
      },
    },
    async (request) => {
      const { customer_id } = request.params as { customer_id: string };
      const { view } = request.query as { view?: string };
      // the subject is always this merchant's: another merchant's customer is simply not found
      return profileOf(ctx, customerSubject(request.merchant!.merchantId, customer_id), view);
    },
  );
}

export function registerProfileAdminRoutes(scope: FastifyInstance, ctx: PlatformContext): void {
  const security = [{ adminToken: [] }];
  const tags = ['admin: profiles'];
  scope.put(
    '/profiles/tags/:name',
    {
      schema: {
        tags,
        security,
        summary: 'Define a tag over merchant events; a changed definition is a new version',
        params: TagNameParam,
        body: TagBody,
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      const { definition, changed } = await putTag(ctx.db, name, request.body, ctx.clock.now());
      return { object: 'profile_tag', ...definition, changed };
    },
  );
  scope.get(
    '/profiles/tags',
    { schema: { tags, security, summary: 'The operator-defined tags in force' } },
    async () => ({
      object: 'list',
      data: (await operatorTags(ctx.db)).map((d) => ({ object: 'profile_tag', ...d })),
    }),
  );
  scope.get(
    '/profiles/:subject',
    {
      schema: {
        tags,
        security,
        summary: 'Any subject’s profile (`<merchant_id>:<customer_id>` or `<channel>:<payer id>`)',
        params: SubjectParam,
        querystring: ViewQuery,
      },
    },
    async (request) => {
      const { subject } = request.params as { subject: string };
      const { view } = request.query as { view?: string };
      return profileOf(ctx, subject, view);
    },
  );
}
