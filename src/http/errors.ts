import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, type ErrorCode } from '../core/errors.js';

/** Turns every failure into the API error object; nothing leaks a stack trace or a 5xx for bad input. */

interface AjvIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  /** set by ajv on errors about an object's key (propertyNames) */
  propertyName?: string;
}

function fieldPath(instancePath: string, child?: unknown): string | undefined {
  const segments = instancePath
    .split('/')
    .filter(Boolean)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (typeof child === 'string') segments.push(child);
  return segments.length ? segments.join('.') : undefined;
}

/** The first schema violation, named by the offending field. */
export function validationToApiError(issues: AjvIssue[], context: string | undefined): ApiError {
  const issue = issues[0];
  const where =
    context === 'querystring' ? 'query parameter' : context === 'params' ? 'path parameter' : 'field';
  if (!issue) return new ApiError('parameter_invalid');
  if (issue.keyword === 'required') {
    const param = fieldPath(issue.instancePath, issue.params.missingProperty);
    return new ApiError('parameter_missing', `${where} ${param} is required`, param);
  }
  if (issue.keyword === 'additionalProperties') {
    const param = fieldPath(issue.instancePath, issue.params.additionalProperty);
    return new ApiError('parameter_unknown', `unknown ${where} ${param}`, param);
  }
  const param = fieldPath(issue.instancePath);
  if (issue.propertyName !== undefined) {
    const name = JSON.stringify(issue.propertyName);
    return new ApiError(
      'parameter_invalid',
      `${where} ${param ?? 'body'} has a key ${name} that ${issue.message ?? 'is invalid'}`,
      param,
    );
  }
  if (param === undefined) {
    return new ApiError(
      'parameter_invalid',
      `the ${context === 'body' ? 'body' : where} ${issue.message ?? 'is invalid'}`,
    );
  }
  return new ApiError('parameter_invalid', `${where} ${param} ${issue.message ?? 'is invalid'}`, param);
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'parameter_invalid',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'body_invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'body_invalid_json',
};

/** Errors the router raises before any route or hook runs (Fastify's `frameworkErrors`). */
const ROUTER_ERRORS: Record<string, string> = {
  FST_ERR_BAD_URL: 'the URL path is not valid percent-encoded UTF-8',
  FST_ERR_MAX_PARAM_LENGTH: 'a path segment is longer than 100 characters',
};

export function toApiError(error: FastifyError): ApiError {
  if (error instanceof ApiError) return error;
  if (error.validation) return validationToApiError(error.validation as AjvIssue[], error.validationContext);
  const routerProblem = error.code ? ROUTER_ERRORS[error.code] : undefined;
  if (routerProblem) return new ApiError('parameter_invalid', routerProblem);
  const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (mapped) return new ApiError(mapped);
  if (error.statusCode === 413) return new ApiError('body_too_large');
  if (error.statusCode === 415) return new ApiError('unsupported_media_type');
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new ApiError('parameter_invalid', 'the request is malformed');
  }
  return new ApiError('internal_error');
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: ApiError) {
  return reply.code(error.status).type('application/json; charset=utf-8').send(error.toBody(request.id));
}

/** Fastify's `frameworkErrors` option: a malformed URL gets the API error object too. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.header('request-id', request.id);
  return sendError(request, reply, toApiError(error));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendError(request, reply, apiError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new ApiError('route_not_found', `no endpoint ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
}
