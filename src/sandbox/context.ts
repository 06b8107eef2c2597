import type { ChannelId } from '../channels/index.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../platform/logger.js';
import type { SandboxKeys } from './keys.js';
import type { SandboxScheduler } from './scheduler.js';

/**
 * What every channel simulator shares: keys, the notification sender, fault injection, the
 * customer payment codes, and time. Each channel is a Fastify plugin
 * `register<Channel>Sandbox(app, ctx)` under its own prefix (/wechatpay, /alipay, /unionpay).
 */

/** the sandbox's channel names are the registry's channel ids (src/channels/registry.ts) */
export type SandboxChannel = ChannelId;

export type FaultMode =
  | 'timeout' // the channel does not answer in time (the simulator holds the request, then drops it)
  | 'error_5xx' // HTTP 5xx from the channel
  | 'system_error' // a well-formed answer with the channel's "system error, retry" code
  | 'lost_answer' // the channel does it, but its answer never arrives (Alipay, UnionPay)
  | 'duplicate_notify' // the notification is sent twice
  | 'delay_notify' // the notification is sent late
  | 'drop_notify' // the first delivery attempt is lost (retries still follow the schedule)
  | 'reorder_notify' // held back and sent after the next notification of that channel
  | 'abnormal'; // WeChat `refund` / `apply_abnormal_refund`: the refund ends ABNORMAL (the card cannot take it)

export interface FaultSpec {
  channel: SandboxChannel;
  /** the API operation (e.g. `jsapi`, `precreate`, `micropay`, `query`, `refund`, `close`) or `notify`; `*` = any */
  operation: string;
  mode: FaultMode;
  /** how many times it fires before switching itself off */
  count: number;
}

export interface Faults {
  set(spec: FaultSpec): void;
  /** the fault to apply now for this channel/operation, consuming one count; undefined if none */
  take(channel: SandboxChannel, operation: string, modes?: readonly FaultMode[]): FaultMode | undefined;
  list(): FaultSpec[];
  clear(): void;
}

export interface NotificationSpec {
  channel: SandboxChannel;
  /** what it is about, for logs and tests, e.g. `TRANSACTION.SUCCESS out_trade_no=…` */
  label: string;
  url: string;
  /** built afresh for every attempt: WeChat signs each delivery with a new timestamp and nonce */
  build(): { headers: Record<string, string>; body: string };
  /** the channel's own acknowledgement rule (WeChat: 200/204; Alipay: body exactly `success`; UnionPay: 200) */
  isAck(status: number, body: string): boolean;
  /** delays before each retry, in channel milliseconds; the first attempt is immediate */
  retryDelaysMs: readonly number[];
}

export interface NotificationAttempt {
  at: string;
  status: number | null;
  acked: boolean;
  error?: string;
}

export interface Notifier {
  send(spec: NotificationSpec): void;
  /** deliveries not yet acknowledged or abandoned */
  pending(): number;
  history(): Array<{
    channel: SandboxChannel;
    label: string;
    url: string;
    attempts: NotificationAttempt[];
    done: boolean;
  }>;
  close(): Promise<void>;
}

export type Wallet = 'wechat' | 'alipay' | 'unionpay';
export type PayCodeScenario = 'success' | 'password' | 'timeout' | 'insufficient_funds';

export interface PayCodes {
  /** a customer payment code with the wallet's real prefix and length */
  issue(wallet: Wallet, scenario: PayCodeScenario): string;
  lookup(code: string): { wallet: Wallet; scenario: PayCodeScenario; used: boolean } | undefined;
  markUsed(code: string): void;
}

export interface SandboxContext {
  clock: Clock;
  keys: SandboxKeys;
  /** e.g. http://127.0.0.1:3100 — where the simulators are reached */
  baseUrl: string;
  notifier: Notifier;
  faults: Faults;
  paycodes: PayCodes;
  logger: Logger;
  /** every channel delay (retry schedules, USERPAYING waits, held requests) runs on the clock through this */
  scheduler: SandboxScheduler;
}
