import type { ResolvedOperation } from '../../core/operations.js';
import type { VType } from '../../core/types.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One way to reach an operation on `/rest`: method, path segments below `/rest`, and the action query. */
export interface LegacyBinding {
  resolved: ResolvedOperation;
  method: HttpMethod;
  /** Literal segments, `{param}` for a custom path variable, `id:{param}` for the legacy id segment. */
  segments: readonly string[];
  /** `['~action', 'get']`, `['action', 'cancel']`, or none. */
  action?: readonly [string, string];
}

function isRequiredId(type: VType): boolean {
  return type.kind === 'id';
}

/** `create_spec` → `create-spec`, as the `~action=` values are written. */
function hyphenated(operationId: string): string {
  return operationId.replaceAll('_', '-');
}

/**
 * The legacy bindings of an operation (SDK `rest/rules.py`): below `/rest/<service id with
 * slashes>`, `list`/`get`/`create`/`update`/`set`/`delete` map to GET/GET id/POST/PATCH id/PUT id/DELETE,
 * and every operation is also `POST …[/id:{id}]?~action=<name>`. The id is the operation's first
 * required id parameter. An operation that declares a custom binding has that one only. An
 * operation that only runs as a task has none: task invocation is served on `/api` only.
 */
export function legacyBindings(resolved: ResolvedOperation): LegacyBinding[] {
  const { service, operation } = resolved;
  if (operation.task === 'task_only') return [];
  const custom = operation.rest;
  if (custom) {
    const segments = custom.path.split('/').filter(Boolean);
    return [{ resolved, method: custom.method, segments, ...(custom.action ? { action: ['action', custom.action] as const } : {}) }];
  }
  const base = service.id.split('.');
  const fields = Object.entries(operation.input.fields);
  const idParam = fields.find(([, type]) => isRequiredId(type))?.[0];
  const withId = idParam ? [...base, `id:{${idParam}}`] : base;
  const onlyTheId = fields.every(([name, type]) => name === idParam || type.kind === 'optional');
  const bindings: LegacyBinding[] = [
    { resolved, method: 'POST', segments: withId, action: ['~action', hyphenated(operation.id)] },
  ];
  const plain = (method: HttpMethod, segments: readonly string[]) => bindings.push({ resolved, method, segments });
  switch (operation.id) {
    case 'list':
      plain('GET', base);
      break;
    case 'get':
      // A get that needs more than its id (or that has no id, like the session's) has only the GET-able form it can carry.
      if (onlyTheId) plain('GET', withId);
      break;
    case 'create':
      plain('POST', base);
      break;
    case 'update':
      if (idParam) plain('PATCH', withId);
      break;
    case 'set':
      if (idParam) plain('PUT', withId);
      break;
    case 'delete':
      plain('DELETE', withId);
      break;
  }
  return bindings;
}

/** Path variables when `path` (segments below `/rest`, decoded) fits the binding's segments. */
export function matchSegments(pattern: readonly string[], path: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== path.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!;
    const got = path[i]!;
    const variable = want.match(/^(id:)?\{(\w+)\}$/);
    if (!variable) {
      if (want !== got) return undefined;
      continue;
    }
    if (variable[1] && !got.startsWith('id:')) return undefined;
    const value = variable[1] ? got.slice(3) : got;
    if (value === '') return undefined;
    params[variable[2]!] = value;
  }
  return params;
}
