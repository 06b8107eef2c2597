import { systemClock, unixSeconds, type Clock } from '../../core/clock.js';
import { ChannelError } from '../channel.js';
import type { WechatpaySettings } from './config.js';
import {
  decryptPlatformCerts,
  platformCertsStale,
  PlatformCertsError,
  UNKNOWN_SERIAL_REFRESH_MS,
  usableCerts,
  type PlatformCert,
} from './protocol/platform-certs.js';
import { keyringFrom, signedHeadersFrom, signRequest, verifySigned } from './protocol/v3-signing.js';

/**
 * The platform certificates of one configuration (certificate mode with `platform_cert_download`):
 * fetched from GET /v3/certificates, decrypted with the APIv3 key, and trusted only when the list's
 * own answer verifies with one of them. Fetched again when the list is older than 12 h or its newest
 * certificate nears expiry (judged by the injected clock), and when a message names an unknown
 * serial (at most once a minute). A failed refresh keeps the certificates still in date.
 * Requests are stamped with the real time, as the official client stamps every other request.
 */
export class PlatformCertStore {
  private certs: PlatformCert[] = [];
  private fetchedAtMs: number | undefined;
  private unknownRefreshAtMs: number | undefined;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly s: WechatpaySettings,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {}

  /** when the list was last fetched (by the injected clock), for operators and tests */
  get lastFetchMs(): number | undefined {
    return this.fetchedAtMs;
  }

  /** serial → PEM of the certificates usable now, fetching the list first when it is stale */
  async current(): Promise<Record<string, string>> {
    const now = this.clock.nowMs();
    if (platformCertsStale(this.certs, this.fetchedAtMs, now)) {
      try {
        await this.refresh();
      } catch (error) {
        if (Object.keys(usableCerts(this.certs, now)).length === 0) throw error;
      }
    }
    return usableCerts(this.certs, this.clock.nowMs());
  }

  /** A message named `serial`: fetch the list again unless it was just fetched for that. True when now known. */
  async learn(serial: string): Promise<boolean> {
    const now = this.clock.nowMs();
    if (serial in usableCerts(this.certs, now)) return true;
    if (this.unknownRefreshAtMs !== undefined && now - this.unknownRefreshAtMs < UNKNOWN_SERIAL_REFRESH_MS)
      return false;
    this.unknownRefreshAtMs = now;
    await this.refresh();
    return serial in usableCerts(this.certs, this.clock.nowMs());
  }

  private refresh(): Promise<void> {
    this.inflight ??= this.fetchList().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchList(): Promise<void> {
    const url = new URL('v3/certificates', this.s.baseUrl);
    const authorization = signRequest({
      method: 'GET',
      pathAndQuery: `${url.pathname}${url.search}`,
      body: '',
      mchid: this.s.spMchid,
      serialNo: this.s.merchantSerial,
      privateKey: this.s.merchantPrivateKey,
      timestamp: unixSeconds(systemClock),
    });
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        headers: { authorization, accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (error) {
      throw new ChannelError(
        'network',
        `WeChat /v3/certificates: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (res.status !== 200)
      throw new ChannelError(
        res.status === 401 ? 'config' : 'system_error',
        `WeChat /v3/certificates answered HTTP ${res.status}`,
        String(res.status),
      );
    let certs: PlatformCert[];
    try {
      certs = decryptPlatformCerts(JSON.parse(text), this.s.apiv3Key);
    } catch (error) {
      const why = error instanceof PlatformCertsError ? error.message : 'the answer is not JSON';
      throw new ChannelError('config', `WeChat /v3/certificates: ${why}; check apiv3_key`);
    }
    // the list is signed by one of its own certificates (or a key already configured)
    const ring = new Map([
      ...this.s.keyring,
      ...keyringFrom(Object.fromEntries(certs.map((c) => [c.serial, c.pem]))),
    ]);
    const verified = verifySigned(signedHeadersFrom(res.headers), text, ring, systemClock);
    if (!verified.ok)
      throw new ChannelError('config', `WeChat /v3/certificates: ${verified.message}`, verified.reason);
    this.certs = certs;
    this.fetchedAtMs = this.clock.nowMs();
  }
}
