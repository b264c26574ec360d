import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ERROR_TABLE, errorId, httpStatus, toVapiError, StoreUnavailableError, VapiError, type ErrorType } from './errors.js';

const DOC = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

/** Rows of the table in docs/errors.md: [error_type, id, /api, /rest]. */
function documentedRows(): [string, string, number, number][] {
  return DOC.split('\n')
    .map((line) => line.match(/^\| `([A-Z_]+)` \| `([a-z_]+)` \| (\d{3}) \| (\d{3}) \|/))
    .filter((match): match is RegExpMatchArray => match !== null)
    .map((match) => [match[1]!, match[2]!, Number(match[3]), Number(match[4])]);
}

describe('the std error table', () => {
  it('has exactly the 25 vAPI standard errors, each once', () => {
    expect(ERROR_TABLE).toHaveLength(25);
    expect(new Set(ERROR_TABLE.map((row) => row.type)).size).toBe(25);
    expect(new Set(ERROR_TABLE.map((row) => row.name)).size).toBe(25);
    for (const row of ERROR_TABLE) expect(row.name).toBe(row.type.toLowerCase());
  });

  it('is the table docs/errors.md documents, row for row', () => {
    expect(documentedRows()).toEqual(ERROR_TABLE.map((row) => [row.type, row.name, row.api, row.rest]));
  });

  it('is the ErrorType union, no more and no less', () => {
    const all = {
      ERROR: 1, ALREADY_EXISTS: 1, ALREADY_IN_DESIRED_STATE: 1, CANCELED: 1, CONCURRENT_CHANGE: 1, FEATURE_IN_USE: 1,
      INTERNAL_SERVER_ERROR: 1, INVALID_ARGUMENT: 1, INVALID_ELEMENT_CONFIGURATION: 1, INVALID_ELEMENT_TYPE: 1,
      INVALID_REQUEST: 1, NOT_ALLOWED_IN_CURRENT_STATE: 1, NOT_FOUND: 1, OPERATION_NOT_FOUND: 1, RESOURCE_BUSY: 1,
      RESOURCE_IN_USE: 1, RESOURCE_INACCESSIBLE: 1, SERVICE_UNAVAILABLE: 1, TIMED_OUT: 1, UNABLE_TO_ALLOCATE_RESOURCE: 1,
      UNAUTHENTICATED: 1, UNAUTHORIZED: 1, UNEXPECTED_INPUT: 1, UNSUPPORTED: 1, UNVERIFIED_PEER: 1,
    } satisfies Record<ErrorType, 1>;
    expectTypeOf<keyof typeof all>().toEqualTypeOf<ErrorType>();
    expect(Object.keys(all).sort()).toEqual(ERROR_TABLE.map((row) => row.type).sort());
  });

  it('names each error by its vAPI id', () => {
    expect(errorId('UNAUTHENTICATED')).toBe('com.vmware.vapi.std.errors.unauthenticated');
    expect(errorId('OPERATION_NOT_FOUND')).toBe('com.vmware.vapi.std.errors.operation_not_found');
  });

  it('lets an operation pin a status in /api only', () => {
    const pins = { RESOURCE_INACCESSIBLE: 500 };
    expect(httpStatus('RESOURCE_INACCESSIBLE', 'api', pins)).toBe(500);
    expect(httpStatus('RESOURCE_INACCESSIBLE', 'rest', pins)).toBe(400);
    expect(httpStatus('RESOURCE_INACCESSIBLE', 'api')).toBe(400);
  });
});

describe('toVapiError', () => {
  it('keeps a std error as it is', () => {
    const error = new VapiError('NOT_FOUND', [{ id: 'x', default_message: 'X', args: [] }]);
    expect(toVapiError(error)).toBe(error);
  });

  it('turns a store failure into SERVICE_UNAVAILABLE that keeps the cause for the log only', () => {
    const cause = new Error('disk I/O error at /var/secret/path');
    const error = toVapiError(new StoreUnavailableError(cause));
    expect(error.errorType).toBe('SERVICE_UNAVAILABLE');
    expect(JSON.stringify(error.messages)).not.toContain('secret');
  });

  it('turns anything else into a generic INTERNAL_SERVER_ERROR', () => {
    const error = toVapiError(new TypeError('cannot read properties of undefined (reading "x")'));
    expect(error.errorType).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(error.messages)).not.toContain('undefined');
  });
});
