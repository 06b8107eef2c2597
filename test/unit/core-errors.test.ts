import { describe, expect, it } from 'vitest';
import { ApiError, ERROR_CODES, type ErrorCode, type ErrorType } from '../../src/core/errors.js';

// CONTRACT §2: which statuses each error type may carry.
const STATUSES: Record<ErrorType, number[]> = {
  invalid_request_error: [400, 404, 405, 409, 413, 415, 422],
  authentication_error: [401],
  permission_error: [403],
  risk_error: [402],
  rate_limit_error: [429],
  channel_error: [502],
  api_error: [500, 503],
};

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];

describe('error table', () => {
  it.each(CODES)('%s has a status consistent with its type', (code) => {
    const { status, type, message } = ERROR_CODES[code];
    expect(STATUSES[type]).toContain(status);
    expect(code).toMatch(/^[a-z]+(_[a-z0-9]+)*$/);
    expect(message.length).toBeGreaterThan(0);
  });

  it('covers every type, and the codes the contract names', () => {
    expect(new Set(CODES.map((c) => ERROR_CODES[c].type))).toEqual(new Set(Object.keys(STATUSES)));
    for (const code of ['parameter_invalid', 'idempotency_error', 'body_too_large', 'internal_error']) {
      expect(CODES).toContain(code);
    }
    expect(ERROR_CODES.body_too_large.status).toBe(413);
    expect(ERROR_CODES.idempotency_error.status).toBe(409);
    expect(ERROR_CODES.risk_rejected.status).toBe(402);
    expect(ERROR_CODES.channel_failed.status).toBe(502);
  });
});

describe('ApiError', () => {
  it('takes status, type and default message from the table', () => {
    const err = new ApiError('signature_invalid');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ApiError');
    expect(err.status).toBe(401);
    expect(err.type).toBe('authentication_error');
    expect(err.message).toBe(ERROR_CODES.signature_invalid.message);
    expect(err.param).toBeUndefined();
  });

  it('renders the contract body, with param and request_id only when given', () => {
    const err = new ApiError(
      'parameter_invalid',
      'amount must be a positive integer number of fen',
      'amount',
    );
    expect(err.toBody('req_1')).toEqual({
      error: {
        type: 'invalid_request_error',
        code: 'parameter_invalid',
        message: 'amount must be a positive integer number of fen',
        param: 'amount',
        request_id: 'req_1',
      },
    });
    const bare = new ApiError('rate_limited').toBody();
    expect(bare).toEqual({
      error: { type: 'rate_limit_error', code: 'rate_limited', message: 'too many requests' },
    });
    expect(Object.keys(bare.error)).toEqual(['type', 'code', 'message']);
    expect(JSON.parse(JSON.stringify(err.toBody()))).toEqual(err.toBody());
  });

  it.each(CODES)('%s renders a body whose type matches its status', (code) => {
    const err = new ApiError(code);
    const body = err.toBody();
    expect(body.error.code).toBe(code);
    expect(body.error.type).toBe(ERROR_CODES[code].type);
    expect(err.status).toBe(ERROR_CODES[code].status);
  });
});
