/**
 * One typed error table. Every failure the API can report is a code here, with its HTTP status
 * and error type (CONTRACT §2). Domain code throws ApiError with a code; the HTTP layer only
 * renders it.
 */

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'risk_error'
  | 'rate_limit_error'
  | 'channel_error'
  | 'api_error';

interface ErrorSpec {
  status: number;
  type: ErrorType;
  message: string;
}

/** The codes of one error type, each `code: [HTTP status, default message]`. */
function ofType<T extends ErrorType, C extends Record<string, readonly [number, string]>>(
  type: T,
  codes: C,
): Record<keyof C, { status: number; type: T; message: string }> {
  const specs: Record<string, ErrorSpec> = {};
  for (const [code, [status, message]] of Object.entries(codes)) specs[code] = { status, type, message };
  return specs as Record<keyof C, { status: number; type: T; message: string }>;
}

/** Grouped by type: the type a code has follows from its group (CONTRACT §2 lists the types). */
export const ERROR_CODES = {
  ...ofType('invalid_request_error', {
    parameter_invalid: [400, 'a parameter is invalid'],
    parameter_missing: [400, 'a required parameter is missing'],
    parameter_unknown: [400, 'an unknown parameter was sent'],
    body_invalid_json: [400, 'the body is not valid JSON'],
    body_too_large: [413, 'the body is larger than 64 KiB'],
    unsupported_media_type: [415, 'send the body as application/json'],
    resource_missing: [404, 'no such resource'],
    route_not_found: [404, 'no such endpoint'],
    method_not_allowed: [405, 'method not allowed'],
    idempotency_error: [409, 'this key was used with different parameters'],
    idempotency_in_progress: [409, 'a request with this key is still being processed'],
    state_conflict: [409, 'the object is not in a state that allows this'],
    validation_failed: [422, 'the request failed validation'],
    channel_unavailable: [422, 'this payment way is not available for the merchant'],
  }),
  ...ofType('authentication_error', {
    authentication_missing: [401, 'missing or malformed Authorization header'],
    signature_invalid: [401, 'the signature does not match'],
    timestamp_out_of_window: [401, 'the timestamp is more than 300 s from the server clock'],
    nonce_replayed: [401, 'this nonce was already used'],
    app_unknown: [401, 'unknown or disabled app'],
    admin_token_invalid: [401, 'missing or wrong admin token'],
  }),
  ...ofType('permission_error', {
    permission_denied: [403, 'not allowed'],
    merchant_suspended: [403, 'the merchant is suspended and cannot take new payments'],
  }),
  ...ofType('risk_error', { risk_rejected: [402, 'the risk engine rejected this request'] }),
  ...ofType('rate_limit_error', { rate_limited: [429, 'too many requests'] }),
  ...ofType('channel_error', { channel_failed: [502, 'the channel failed'] }),
  ...ofType('api_error', {
    internal_error: [500, 'an internal error occurred'],
    service_unavailable: [503, 'the service is shutting down or not ready'],
  }),
} satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ApiErrorBody {
  error: {
    type: ErrorType;
    code: ErrorCode;
    message: string;
    param?: string;
    request_id?: string;
  };
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly param: string | undefined;

  constructor(code: ErrorCode, message?: string, param?: string) {
    super(message ?? ERROR_CODES[code].message);
    this.name = 'ApiError';
    this.code = code;
    this.param = param;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get type(): ErrorType {
    return ERROR_CODES[this.code].type;
  }

  toBody(requestId?: string): ApiErrorBody {
    return {
      error: {
        type: this.type,
        code: this.code,
        message: this.message,
        ...(this.param !== undefined ? { param: this.param } : {}),
        ...(requestId !== undefined ? { request_id: requestId } : {}),
      },
    };
  }
}
