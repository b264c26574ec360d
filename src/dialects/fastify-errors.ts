import { internalServerError, invalidRequest, VapiError } from '../core/errors.js';

/**
 * Failures Fastify raises before a route runs (body parsing, size, media type) as std errors,
 * with the HTTP status each deserves. Anything unexpected is an internal error, without detail.
 */
export function fromFastifyError(error: unknown): { error: VapiError; status?: number } {
  if (error instanceof VapiError) return { error };
  const { code, statusCode } = (error ?? {}) as { code?: string; statusCode?: number };
  switch (code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        error: invalidRequest('com.vmware.vapi.rest.unsupportedMediaType', 'Request body must be application/json.'),
        status: 415,
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { error: invalidRequest('com.vmware.vapi.rest.requestTooLarge', 'Request body is too large.'), status: 413 };
    default:
      if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
        return { error: invalidRequest('com.vmware.vapi.rest.badRequest', 'The request could not be read.') };
      }
      return { error: internalServerError(error) };
  }
}
