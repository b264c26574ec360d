import { ERROR_TABLE, errorId, type ErrorType } from '../../core/errors.js';
import { localizableMessageType, t, type StructType } from '../../core/types.js';

const errorTypeEnum = t.enumeration(
  'com.vmware.vapi.std.errors.error.type',
  ERROR_TABLE.map((row) => row.type),
);

/**
 * The structure of one standard error, named `com.vmware.vapi.std.errors.<name>`. Only
 * UNAUTHENTICATED has `challenge` (errors.md §1).
 */
export function stdErrorType(type: ErrorType): StructType {
  return t.struct(errorId(type), {
    messages: t.list(localizableMessageType),
    data: t.optional(t.dynamic),
    error_type: t.optional(errorTypeEnum),
    ...(type === 'UNAUTHENTICATED' ? { challenge: t.optional(t.string) } : {}),
  });
}

/** The error type a `com.vmware.vapi.std.errors.<name>` names, if it is a standard error. */
export function errorTypeNamed(name: string): ErrorType | undefined {
  return ERROR_TABLE.find((row) => errorId(row.type) === name)?.type;
}
