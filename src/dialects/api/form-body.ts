import { invalidRequest } from '../../core/errors.js';
import { defineOwn } from '../../core/own-property.js';

export const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/** The fields of an `application/x-www-form-urlencoded` body, told apart from a JSON body of the same shape. */
export class FormFields {
  constructor(readonly fields: Record<string, string>) {}
}

/**
 * A form body (RFC 6749 §3.2: each field at most once), read with the platform's own URL-encoded
 * parser. A repeated field is INVALID_REQUEST: which of its values counts would be a guess.
 */
export function parseFormBody(text: string): FormFields {
  const fields: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    if (Object.hasOwn(fields, name)) throw invalidRequest('com.vmware.vapi.rest.badRequest.repeatedField', `Field ${name} is given more than once.`, [name]);
    defineOwn(fields, name, value);
  }
  return new FormFields(fields);
}
