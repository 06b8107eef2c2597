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

export const ERROR_CODES = {
  parameter_invalid: { status: 400, type: 'invalid_request_error', message: 'a parameter is invalid' },
  parameter_missing: {
    status: 400,
    type: 'invalid_request_error',
    message: 'a required parameter is missing',
  },
  parameter_unknown: { status: 400, type: 'invalid_request_error', message: 'an unknown parameter was sent' },
  body_invalid_json: { status: 400, type: 'invalid_request_error', message: 'the body is not valid JSON' },
  body_too_large: { status: 413, type: 'invalid_request_error', message: 'the body is larger than 64 KiB' },
  unsupported_media_type: {
    status: 415,
    type: 'invalid_request_error',
    message: 'send the body as application/json',
  },
  resource_missing: { status: 404, type: 'invalid_request_error', message: 'no such resource' },
  route_not_found: { status: 404, type: 'invalid_request_error', message: 'no such endpoint' },
  method_not_allowed: { status: 405, type: 'invalid_request_error', message: 'method not allowed' },
  idempotency_error: {
    status: 409,
    type: 'invalid_request_error',
    message: 'this key was used with different parameters',
  },
  idempotency_in_progress: {
    status: 409,
    type: 'invalid_request_error',
    message: 'a request with this key is still being processed',
  },
  state_conflict: {
    status: 409,
    type: 'invalid_request_error',
    message: 'the object is not in a state that allows this',
  },
  validation_failed: { status: 422, type: 'invalid_request_error', message: 'the request failed validation' },
  authentication_missing: {
    status: 401,
    type: 'authentication_error',
    message: 'missing or malformed Authorization header',
  },
  signature_invalid: { status: 401, type: 'authentication_error', message: 'the signature does not match' },
  timestamp_out_of_window: {
    status: 401,
    type: 'authentication_error',
    message: 'the timestamp is more than 300 s from the server clock',
  },
  nonce_replayed: { status: 401, type: 'authentication_error', message: 'this nonce was already used' },
  app_unknown: { status: 401, type: 'authentication_error', message: 'unknown or disabled app' },
  admin_token_invalid: { status: 401, type: 'authentication_error', message: 'missing or wrong admin token' },
  permission_denied: { status: 403, type: 'permission_error', message: 'not allowed' },
  merchant_suspended: {
    status: 403,
    type: 'permission_error',
    message: 'the merchant is suspended and cannot take new payments',
  },
  risk_rejected: { status: 402, type: 'risk_error', message: 'the risk engine rejected this request' },
  rate_limited: { status: 429, type: 'rate_limit_error', message: 'too many requests' },
  channel_failed: { status: 502, type: 'channel_error', message: 'the channel failed' },
  channel_unavailable: {
    status: 422,
    type: 'invalid_request_error',
    message: 'this payment way is not available for the merchant',
  },
  internal_error: { status: 500, type: 'api_error', message: 'an internal error occurred' },
  service_unavailable: {
    status: 503,
    type: 'api_error',
    message: 'the service is shutting down or not ready',
  },
} as const satisfies Record<string, ErrorSpec>;

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
