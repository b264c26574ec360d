import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me } from './api.js';

interface OpenApiDocument {
  paths: Record<string, Record<string, { operationId: string; 'x-vmw-privileges'?: string[] }>>;
}

/** Operation (`service.operation`) → the privileges it needs, as the server's OpenAPI document states them. */
export type OperationPrivileges = ReadonlyMap<string, readonly string[]>;

export interface Operations {
  privileges: OperationPrivileges;
  /** The services with operations that run as tasks: what the task list asks for. */
  taskServices: readonly string[];
}

/** What the console needs of the server's OpenAPI document (`/api/openapi.json`). */
export async function operationsOf(): Promise<Operations> {
  const document = (await (await fetch('/api/openapi.json')).json()) as OpenApiDocument;
  const privileges = new Map<string, readonly string[]>();
  const taskServices = new Set<string>();
  for (const methods of Object.values(document.paths)) {
    for (const { operationId, 'x-vmw-privileges': needed } of Object.values(methods)) {
      // `…$task` and `…_2` are further bindings of the same operation.
      const operation = operationId.replace(/(\$task)?(_\d+)?$/, '');
      privileges.set(operation, needed ?? []);
      if (operationId.includes('$task')) taskServices.add(operation.slice(0, operation.lastIndexOf('.')));
    }
  }
  return { privileges, taskServices: [...taskServices].sort() };
}

export interface Access {
  me: Me;
  operations: OperationPrivileges;
  taskServices: readonly string[];
  /** Whether the user holds `privilege`. */
  holds(privilege: string): boolean;
  /** Whether the user holds every privilege the operation needs; the server checks again anyway. */
  can(operation: string): boolean;
}

export function accessOf(me: Me, { privileges, taskServices }: Operations): Access {
  const held = new Set(me.privileges);
  const holds = (privilege: string) => held.has(privilege);
  return {
    me,
    operations: privileges,
    taskServices,
    holds,
    can: (operation) => {
      const needed = privileges.get(operation);
      return needed !== undefined && needed.every(holds);
    },
  };
}

export const AccessContext = createContext<Access | undefined>(undefined);

export function useAccess(): Access {
  const access = useContext(AccessContext);
  if (!access) throw new Error('useAccess outside a logged-in console');
  return access;
}
