import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../core/errors.js';
import { IdParam, Strict } from '../../http/schemas.js';
import { parseLimit, toPage } from '../../core/pagination.js';
import type { Risk } from '../risk.js';
import { recordMerchantEvent } from '../merchant-events.js';
import {
  addListEntry,
  createRule,
  currentRule,
  deleteRule,
  removeListEntry,
  updateRule,
  type RuleInput,
} from '../operations.js';
import { findDecisions, getListEntry, listEntries } from '../store.js';
import type { ListName } from '../tables.js';
import { toDecisionObject, toEntryObject, toRuleObject } from '../views.js';
import { customerSubject } from '../hooks.js';
import {
  DecideBody,
  DecisionQuery,
  EventBody,
  ListParam,
  NewEntryBody,
  NewRuleBody,
  PatchRuleBody,
} from './schemas.js';
import { currentRules } from '../store.js';

const adminSecurity = [{ adminToken: [] }];
const tags = ['admin: risk'];

/** Operator routes under /admin/v1/risk: lists, rules, the decision log. */
export function registerRiskAdminRoutes(scope: FastifyInstance, risk: Risk): void {
  const { deps } = risk;
  const listParams = Strict({ list: ListParam });
  const entryParams = Strict({ list: ListParam, id: IdParam('rle') });
  const ruleParams = Strict({ id: IdParam('rul') });

  scope.post(
    '/risk/lists/:list/entries',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Put a subject on a list; applies to the next decision on every node',
        params: listParams,
        body: NewEntryBody,
      },
    },
    async (request, reply) => {
      const { list } = request.params as { list: ListName };
      const row = await addListEntry(deps, list, request.body as Parameters<typeof addListEntry>[2]);
      return reply.code(201).send(toEntryObject(row));
    },
  );
  scope.get(
    '/risk/lists/:list/entries',
    { schema: { tags, security: adminSecurity, summary: 'The entries of a list', params: listParams } },
    async (request) => {
      const { list } = request.params as { list: ListName };
      return { object: 'list', data: (await listEntries(deps.db, { list })).map(toEntryObject) };
    },
  );
  scope.get(
    '/risk/lists/:list/entries/:id',
    { schema: { tags, security: adminSecurity, summary: 'One list entry', params: entryParams } },
    async (request) => {
      const { list, id } = request.params as { list: ListName; id: string };
      const row = await getListEntry(deps.db, id);
      if (!row || row.list !== list)
        throw new ApiError('resource_missing', `no entry ${id} on the ${list} list`, 'id');
      return toEntryObject(row);
    },
  );
  scope.delete(
    '/risk/lists/:list/entries/:id',
    { schema: { tags, security: adminSecurity, summary: 'Remove a list entry', params: entryParams } },
    async (request) => {
      const { list, id } = request.params as { list: ListName; id: string };
      return { ...toEntryObject(await removeListEntry(deps, list, id)), deleted: true };
    },
  );

  scope.post(
    '/risk/rules',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Create a CEL rule (a bad expression is 422 naming the position)',
        body: NewRuleBody,
      },
    },
    async (request, reply) =>
      reply.code(201).send(toRuleObject(await createRule(deps, request.body as RuleInput))),
  );
  scope.get(
    '/risk/rules',
    { schema: { tags, security: adminSecurity, summary: 'The rules in force' } },
    async () => ({
      object: 'list',
      data: (await currentRules(deps.db)).map(toRuleObject),
    }),
  );
  scope.get(
    '/risk/rules/:id',
    {
      schema: { tags, security: adminSecurity, summary: 'A rule with all its versions', params: ruleParams },
    },
    async (request) => {
      const { current, versions } = await currentRule(deps.db, (request.params as { id: string }).id);
      return { ...toRuleObject(current), versions: versions.map(toRuleObject) };
    },
  );
  scope.patch(
    '/risk/rules/:id',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Change a rule: a new version; the old one stays for the log',
        params: ruleParams,
        body: PatchRuleBody,
      },
    },
    async (request) =>
      toRuleObject(
        await updateRule(deps, (request.params as { id: string }).id, request.body as Partial<RuleInput>),
      ),
  );
  scope.delete(
    '/risk/rules/:id',
    { schema: { tags, security: adminSecurity, summary: 'Retire a rule', params: ruleParams } },
    async (request) => ({
      ...toRuleObject(await deleteRule(deps, (request.params as { id: string }).id)),
      deleted: true,
    }),
  );

  scope.get(
    '/risk/decisions',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'The decision log, newest first: every rule’s result (shadow rules included) and the inputs',
        querystring: DecisionQuery,
      },
    },
    async (request) => {
      const query = request.query as {
        subject?: string;
        decision?: string;
        limit?: string;
        starting_after?: string;
      };
      const limit = parseLimit(query.limit);
      await risk.flush(); // this node's buffered decisions first
      const rows = await findDecisions(deps.db, {
        limit,
        ...(query.subject ? { subject: query.subject } : {}),
        ...(query.decision ? { decision: query.decision } : {}),
        ...(query.starting_after ? { startingAfter: query.starting_after } : {}),
      });
      return toPage(rows, limit, toDecisionObject);
    },
  );
}

const merchantSecurity = [{ merchantSignature: [] }];

interface SubjectBody {
  customer_id: string;
  device_id?: string;
  ip?: string;
  attributes?: Record<string, string>;
}

/** Merchant routes under /v1/risk: decisions for the merchant's own scenes, and its events. */
export function registerRiskMerchantRoutes(scope: FastifyInstance, risk: Risk): void {
  scope.post(
    '/risk/decide',
    {
      schema: {
        tags: ['risk'],
        security: merchantSecurity,
        summary: 'Ask for a decision in a scene (login, register, withdrawal, …)',
        body: DecideBody,
      },
    },
    async (request) => {
      const merchant = request.merchant!;
      const body = request.body as SubjectBody & { scene: string };
      const decided = await risk.engine.decide({
        scene: body.scene,
        type: body.scene,
        merchantId: merchant.merchantId,
        customer: customerSubject(merchant.merchantId, body.customer_id),
        device: body.device_id,
        ip: body.ip,
        attributes: body.attributes,
        attemptKey: `decide:${request.id}`,
      });
      return {
        object: 'risk_decision',
        id: decided.id,
        decision: decided.decision,
        reasons: decided.reasons,
      };
    },
  );
  scope.post(
    '/risk/events',
    {
      schema: {
        tags: ['risk'],
        security: merchantSecurity,
        summary:
          'Record a merchant-side event (login, register, password_change, …) for counters and profiles',
        body: EventBody,
      },
    },
    async (request, reply) => {
      const merchant = request.merchant!;
      const body = request.body as SubjectBody & { type: string };
      const event = await recordMerchantEvent(risk.deps, merchant, body);
      return reply.code(201).send(event);
    },
  );
}
