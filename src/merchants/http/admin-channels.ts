import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { CHANNELS } from '../channel-config/schema.js';
import {
  ensureConfigOwner,
  ownerConfigView,
  updateOwnerConfig,
  type ConfigOwnerKind,
} from '../channel-config/owner-configs.js';
import { listChannelConfigObjects } from '../channel-config/store.js';
import type { ChannelName } from '../tables.js';
import type { PlatformContext } from '../../platform/context.js';
import { IdParam, Strict } from '../../http/schemas.js';
import { adminActor, security } from './admin-common.js';

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
  kind: ConfigOwnerKind;
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
export function registerAdminChannelRoutes(scope: FastifyInstance, ctx: PlatformContext): void {
  const { db } = ctx;

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
        await ensureConfigOwner(db, owner.kind, id);
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
        await ensureConfigOwner(db, owner.kind, id);
        return ownerConfigView(db, owner.kind, id, channel);
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
        return updateOwnerConfig(ctx, { kind: owner.kind, id, channel }, body, adminActor(request));
      },
    );
  }
}
