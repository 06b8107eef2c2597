import { ChannelError } from '../channel.js';
import { AcpTransportError, AcpVerifyError } from './client.js';
import { AcpFormatError } from './protocol/form.js';

/**
 * Transport and trust failures of an ACP call → ChannelError kinds. The line that matters is
 * between `network` (we never reached the gateway: nothing was done, sending again is safe) and
 * `timeout` (the request left and no answer came back: the outcome is unknown, ask by query).
 */

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    const name = (e as { name?: unknown }).name;
    if (typeof name === 'string') codes.push(name);
    e = (e as { cause?: unknown }).cause;
  }
  return codes;
}

export function transportErrorKind(error: unknown): 'network' | 'timeout' {
  return errorCodes(error).some((c) => UNREACHABLE.has(c)) ? 'network' : 'timeout';
}

export function acpCallError(error: unknown, what: string): ChannelError {
  if (error instanceof ChannelError) return error;
  if (error instanceof AcpVerifyError)
    return new ChannelError(
      'config',
      `unionpay ${what}: the answer is not trusted (${error.message}); check root_cert`,
    );
  if (error instanceof AcpFormatError)
    return new ChannelError('system_error', `unionpay ${what}: unreadable answer (${error.message})`);
  if (error instanceof AcpTransportError) {
    const status = /^HTTP (\d{3}) /.exec(error.message)?.[1];
    if (status) {
      // 5xx: the gateway or a proxy in front of it is in trouble; 4xx: we are knocking on the wrong door
      return Number(status) >= 500
        ? new ChannelError('system_error', `unionpay ${what}: ${error.message}`)
        : new ChannelError('config', `unionpay ${what}: ${error.message}; check base_url`);
    }
    return new ChannelError(transportErrorKind(error.cause), `unionpay ${what}: ${error.message}`);
  }
  // a builder refusing our own input (RangeError on an amount) and the like: sending again cannot help
  return new ChannelError(
    'rejected',
    `unionpay ${what}: ${error instanceof Error ? error.message : String(error)}`,
  );
}
