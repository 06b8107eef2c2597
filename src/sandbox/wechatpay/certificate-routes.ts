import { X509Certificate } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { encryptResource } from '../../channels/wechatpay/protocol/aead.js';
import { beijingTime } from '../../channels/wechatpay/protocol/notification.js';
import { jsonBody } from '../json-body.js';
import type { WechatSimulator } from './simulator.js';

/**
 * Platform-certificate mode: GET /v3/certificates hands out the platform certificate encrypted
 * with the APIv3 key; POST /sandbox/wechat/signing switches which serial signs answers and
 * notifications (`public_key` = PUB_KEY_ID_…, the default; `certificate` = the certificate serial),
 * so adapters can be tested through a key migration.
 */
export function registerCertificateRoutes(app: FastifyInstance, sim: WechatSimulator): void {
  app.get('/wechatpay/v3/certificates', async (request, reply) => {
    if (!sim.authenticate(request, reply)) return reply;
    const cert = new X509Certificate(sim.keys.platform_cert_pem);
    return sim.sendSigned(reply, 200, {
      data: [
        {
          serial_no: sim.keys.platform_cert_serial,
          effective_time: beijingTime(new Date(cert.validFrom)),
          expire_time: beijingTime(new Date(cert.validTo)),
          encrypt_certificate: (({ original_type: _omit, ...rest }) => rest)(
            encryptResource(sim.keys.platform_cert_pem, sim.keys.apiv3_key, 'certificate'),
          ),
        },
      ],
    });
  });

  app.post('/sandbox/wechat/signing', async (request, reply) => {
    const mode = jsonBody(request.body)?.mode;
    if (mode !== 'public_key' && mode !== 'certificate') {
      return reply.code(400).send({
        error: {
          type: 'invalid_request_error',
          code: 'parameter_invalid',
          message: 'mode must be public_key or certificate',
          param: 'mode',
        },
      });
    }
    sim.signingSerial =
      mode === 'certificate' ? sim.keys.platform_cert_serial : sim.keys.platform_public_key_id;
    return { mode, serial: sim.signingSerial };
  });
}
