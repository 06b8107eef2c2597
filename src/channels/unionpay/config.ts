import { createPrivateKey } from 'node:crypto';
import { ChannelError, type ChannelConfig } from '../channel.js';
import { digits, field, FLAG_FORMAT, PEM_FORMAT, URL_FORMAT, type ConfigFields } from '../config-fields.js';
import type { AcpClientOptions } from './client.js';
import { checkConfiguredChain, type AcpTrust } from './protocol/signer-cert.js';

/**
 * A merchant's UnionPay configuration. Trust comes from the two certificates UnionPay issues to
 * every merchant: the root (acp_root.cer) and the intermediate (acp_middle.cer). Every answer and
 * notification carries UnionPay's signing certificate (signPubKeyCert), which must be issued by
 * the intermediate, within its dates (at the adapter's clock) and name UnionPay in its CN, so
 * UnionPay can roll its signing certificate without the merchant touching anything.
 * `sandbox: "1"` (or `"true"`) marks a configuration that points at the JuhePay sandbox, whose customer page
 * is then offered as the wallet action's `sandbox_url`.
 */

export const UNIONPAY_CONFIG_FIELDS = {
  base_url: field(URL_FORMAT, 'the ACP gateway root, e.g. https://gateway.95516.com/', { required: true }),
  mer_id: field(
    { pattern: /^[0-9A-Z]{15}$/, hint: '15 digits or capitals' },
    'the merchant id at UnionPay (15 characters)',
    { required: true },
  ),
  cert_id: field(digits(1, 64), 'the signing certificate serial, in decimal', { required: true }),
  sign_private_key: field(PEM_FORMAT, 'the signing private key, PEM', { required: true, secret: true }),
  root_cert: field(PEM_FORMAT, "UnionPay's root certificate (acp_root.cer), PEM", { required: true }),
  middle_cert: field(PEM_FORMAT, "UnionPay's intermediate certificate (acp_middle.cer), PEM", {
    required: true,
  }),
  back_url: field(URL_FORMAT, 'where UnionPay notifies cancels when the caller gives no notifyUrl'),
  sandbox: field(FLAG_FORMAT, '"1" (or "true") when base_url is the JuhePay sandbox'),
  file_url: field(
    URL_FORMAT,
    'the file-transfer endpoint for day files, e.g. https://filedownload.95516.com/ (derived from base_url when unset)',
  ),
} as const satisfies ConfigFields;

export interface UnionpaySettings {
  client: AcpClientOptions;
  /** the sandbox customer page for an ACP orderId, only for sandbox configurations */
  sandboxPayUrl?: (acpOrderId: string) => string;
}

function fieldOf(config: ChannelConfig, name: keyof typeof UNIONPAY_CONFIG_FIELDS): string {
  const value = config.fields[name];
  if (!value) throw new ChannelError('config', `unionpay configuration lacks ${name}`);
  return value;
}

/** root_cert + middle_cert → the trust that signPubKeyCert is checked against; a bad chain is a config error. */
export function unionpayTrust(fields: Record<string, string>, now?: Date): AcpTrust {
  const rootCert = fields.root_cert;
  const middleCert = fields.middle_cert;
  if (!rootCert) throw new ChannelError('config', 'unionpay configuration lacks root_cert');
  if (!middleCert)
    throw new ChannelError(
      'config',
      'unionpay configuration lacks middle_cert (acp_middle.cer: UnionPay signs through it)',
    );
  const chain = checkConfiguredChain(rootCert, middleCert);
  if (!chain.ok) throw new ChannelError('config', `unionpay ${chain.field} ${chain.reason}`);
  return now ? { ...chain.trust, checkDatesAt: now } : chain.trust;
}

/**
 * Reads and checks the fields; every problem is a ChannelError('config') naming the field.
 * `now` (the adapter's clock) is when signer certificates must be valid.
 */
export function unionpaySettings(config: ChannelConfig, timeoutMs?: number, now?: Date): UnionpaySettings {
  if (config.channel !== 'unionpay')
    throw new ChannelError('config', `a ${config.channel} configuration was given to the unionpay adapter`);
  const baseUrl = fieldOf(config, 'base_url');
  if (!/^https?:\/\/\S+$/.test(baseUrl))
    throw new ChannelError('config', 'unionpay base_url must be an http(s) URL');
  const merId = fieldOf(config, 'mer_id');
  if (!/^[0-9A-Za-z]{15}$/.test(merId))
    throw new ChannelError('config', 'unionpay mer_id must be 15 letters or digits');
  const certId = fieldOf(config, 'cert_id');
  if (!/^\d{1,64}$/.test(certId)) throw new ChannelError('config', 'unionpay cert_id must be decimal digits');
  const signPrivateKeyPem = fieldOf(config, 'sign_private_key');
  try {
    createPrivateKey(signPrivateKeyPem);
  } catch {
    throw new ChannelError('config', 'unionpay sign_private_key is not a readable private key');
  }
  const trust = unionpayTrust(config.fields, now);
  const root = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const settings: UnionpaySettings = {
    client: {
      baseUrl: root,
      merchant: { merId, certId, signPrivateKeyPem },
      trust,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    },
  };
  // the flag is `1` or `true` (the field schema's FLAG); the demo tenant writes `1`
  if (config.fields.sandbox === '1' || config.fields.sandbox === 'true') {
    // the sandbox serves the gateway under <sandbox>/unionpay/ and the customer under <sandbox>/sandbox/unionpay/
    const page = new URL('../sandbox/unionpay/pay', root);
    settings.sandboxPayUrl = (orderId) => `${page.toString()}?order_id=${encodeURIComponent(orderId)}`;
  }
  return settings;
}
