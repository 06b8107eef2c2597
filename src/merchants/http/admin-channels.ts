import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { CHANNELS } from '../channel-config/schema.js';
import {
  channelConfigObject,
  effectiveChannelObject,
  listChannelConfigObjects,
  upsertChannelConfig,
} from '../channel-config/store.js';
import type { ChannelName } from '../tables.js';
import { getInstitution, getMerchant, getServiceProvider } from '../tenancy.js';
import { inTransaction, type Queryable } from '../../platform/db/index.js';
import type { AppContext } from '../../http/context.js';
import { IdParam, Strict } from '../../http/schemas.js';
import { audit, security } from './admin-common.js';

const tags = ['admin: channel configuration'];
const Channel = Type.Union(
  CHANNELS.map((c) => Type.Literal(c)),
  { description: CHANNELS.join(' | ') },
);
const ConfigBody = Strict({
  fields: Type.Optional(
    Type.Record(
      Type.String({ maxLength: 64 }),
      Type.Union([Type.String({ minLength: 1, maxLength: 16384 }), Type.Null()]),
      {
        maxProperties: 40,
        description:
          'fields to set; null removes one. Secret fields (keys, tokens) are sealed and never returned',
      },
    ),
  ),
  enabled: Type.Optional(Type.Boolean()),
});

type Owner = {
  kind: 'merchant' | 'service_provider' | 'institution';
  path: 'merchants' | 'service-providers' | 'institutions';
  prefix: string;
  who: string;
};
const OWNERS: Owner[] = [
  { kind: 'merchant', path: 'merchants', prefix: 'mch', who: 'a merchant' },
  { kind: 'service_provider', path: 'service-providers', prefix: 'isp', who: 'a service provider' },
  { kind: 'institution', path: 'institutions', prefix: 'ins', who: 'an institution' },
];

/**
 * Per-channel configuration of institutions and service providers (credentials their merchants
 * inherit: a bank can be the channels' service provider for the merchants it signs itself) and of
 * merchants (their sub-merchant ids, or their own credentials). Secrets go in, never come out.
 */
export function registerAdminChannelRoutes(scope: FastifyInstance, ctx: AppContext): void {
  const { db, box, clock } = ctx;

  const ensureOwner = (q: Queryable, owner: Owner, id: string) =>
    owner.kind === 'merchant'
      ? getMerchant(q, id)
      : owner.kind === 'service_provider'
        ? getServiceProvider(q, id, 'id')
        : getInstitution(q, id, 'id');

  /** The owner's own configuration, and for a merchant what is in force with inheritance. */
  async function view(q: Queryable, owner: Owner, id: string, channel: ChannelName) {
    const row = await q
      .selectFrom('channel_configs')
      .selectAll()
      .where('owner_id', '=', id)
      .where('channel', '=', channel)
      .executeTakeFirst();
    const own = row
      ? channelConfigObject(row)
      : {
          object: 'channel_config' as const,
          owner_id: id,
          owner_type: owner.kind,
          channel,
          enabled: true,
          fields: {},
          has_secret: {},
          created_at: null,
          updated_at: null,
        };
    if (owner.kind !== 'merchant') return own;
    return { ...own, effective: await effectiveChannelObject(q, id, channel) };
  }

  for (const owner of OWNERS) {
    const params = Strict({ id: IdParam(owner.prefix) });
    const channelParams = Strict({ id: IdParam(owner.prefix), channel: Channel });
    const { who } = owner;

    scope.get(
      `/${owner.path}/:id/channels`,
      {
        schema: {
          tags,
          summary: `List ${who}'s channel configurations (no secrets)`,
          security,
          params,
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        await ensureOwner(db, owner, id);
        return { object: 'list', data: await listChannelConfigObjects(db, id), has_more: false };
      },
    );

    scope.get(
      `/${owner.path}/:id/channels/:channel`,
      {
        schema: {
          tags,
          summary:
            owner.kind === 'merchant'
              ? "A merchant's configuration for one channel and the effective one (inherited from its service provider, else its institution)"
              : `The configuration of ${who} for one channel`,
          security,
          params: channelParams,
        },
      },
      async (request) => {
        const { id, channel } = request.params as { id: string; channel: ChannelName };
        await ensureOwner(db, owner, id);
        return view(db, owner, id, channel);
      },
    );

    scope.put(
      `/${owner.path}/:id/channels/:channel`,
      {
        schema: {
          tags,
          summary: `Set fields of ${who}'s channel configuration (a patch: named fields change, null removes)`,
          security,
          params: channelParams,
          body: ConfigBody,
        },
      },
      async (request) => {
        const { id, channel } = request.params as { id: string; channel: ChannelName };
        const body = request.body as { fields?: Record<string, string | null>; enabled?: boolean };
        return inTransaction(db, async (tx) => {
          await ensureOwner(tx, owner, id);
          const change = await upsertChannelConfig(
            tx,
            box,
            { ownerId: id, ownerType: owner.kind, channel, patch: body.fields ?? {}, enabled: body.enabled },
            clock,
          );
          await audit(tx, request, clock, {
            action: 'channel_config.update',
            objectType: 'channel_config',
            objectId: `${id}:${channel}`,
            merchantId: owner.kind === 'merchant' ? id : null,
            before: change.before,
            after: change.after,
          });
          return view(tx, owner, id, channel);
        });
      },
    );
  }
}
