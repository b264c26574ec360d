import { internalServerError, invalidRequest, VapiError } from '../core/errors.js';

/**
 * Failures Fastify raises before a route runs (body parsing, size, media type) as std errors,
 * with the HTTP status each deserves. Anything unexpected is an internal error, without detail.
 * `bodyUnread` marks a refusal that leaves the rest of the body unread (415, 413): the connection
 * is closed after the answer, so that the server does not go on reading it (a 1 GiB body sent
 * after its 415 would otherwise still be consumed).
 */
export function fromFastifyError(error: unknown): { error: VapiError; status?: number; bodyUnread?: true } {
  if (error instanceof VapiError) return { error };
  const { code, statusCode } = (error ?? {}) as { code?: string; statusCode?: number };
  switch (code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        error: invalidRequest('com.vmware.vapi.rest.unsupportedMediaType', 'Request body must be application/json.'),
        status: 415,
        bodyUnread: true,
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { error: invalidRequest('com.vmware.vapi.rest.requestTooLarge', 'Request body is too large.'), status: 413, bodyUnread: true };
    default:
      if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
        return { error: invalidRequest('com.vmware.vapi.rest.badRequest', 'The request could not be read.') };
      }
      return { error: internalServerError(error) };
  }
}
