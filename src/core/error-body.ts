import type { VapiError } from './errors.js';
import type { LocalizableMessage } from './messages.js';
import type { MapStyle } from './plain-json.js';

function messageBody(msg: LocalizableMessage, maps: MapStyle): Record<string, unknown> {
  const body: Record<string, unknown> = { args: msg.args, default_message: msg.default_message, id: msg.id };
  if (msg.params !== undefined) {
    body.params = maps === 'object' ? msg.params : Object.entries(msg.params).map(([key, value]) => ({ key, value }));
  }
  if (msg.localized !== undefined) body.localized = msg.localized;
  return body;
}

/** The std error structure in plain JSON, as the REST dialects send it. */
export function plainErrorBody(error: VapiError, maps: MapStyle): Record<string, unknown> {
  const body: Record<string, unknown> = {
    error_type: error.errorType,
    messages: error.messages.map((msg) => messageBody(msg, maps)),
  };
  if (error.data !== undefined) body.data = error.data;
  if (error.challenge !== undefined) body.challenge = error.challenge;
  return body;
}
