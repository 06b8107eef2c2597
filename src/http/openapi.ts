import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

const MERCHANT_AUTH = `Every merchant request carries
\`Authorization: JUHE-HMAC-SHA256 app_id="app_…",timestamp="<unix s>",nonce="<16-64 chars>",signature="<base64>"\`
where signature = base64(HMAC-SHA256(app_secret, METHOD\\nPATH_AND_QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n)).
Responses carry Juhe-Timestamp, Juhe-Nonce and Juhe-Signature = base64(HMAC-SHA256(app_secret, TIMESTAMP\\nNONCE\\nBODY\\n)).`;

/** The OpenAPI document (at /docs/json) and its UI (at /docs), generated from the route schemas. */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'JuhePay API',
        version,
        description:
          'Merchant API (/v1, HMAC-signed), admin API (/admin/v1, bearer token) and operations endpoints. ' +
          'Amounts are integer fen; errors are `{ "error": { type, code, message, param?, request_id } }`.',
      },
      components: {
        securitySchemes: {
          merchantSignature: {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description: MERCHANT_AUTH,
          },
          adminToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'JUHEPAY_ADMIN_TOKEN or the generated token in demo.json',
          },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
