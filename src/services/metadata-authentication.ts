import { notFound } from '../core/errors.js';
import type { OperationDefinition, ServiceDefinition } from '../core/operations.js';
import { operationInput, t, type VType } from '../core/types.js';
import type { AuthenticationMetadata } from '../metadata/authentication-metadata.js';

const NS = 'com.vmware.vapi.metadata.authentication';
const BASE = '/vapi/metadata/authentication';

const authenticationInfoType = t.struct(`${NS}.authentication_info`, {
  scheme_type: t.enumeration(`${NS}.authentication_info.scheme_type`, ['SESSIONLESS', 'SESSION_AWARE']),
  session_manager: t.optional(t.string),
  scheme: t.string,
});
const schemes = t.list(authenticationInfoType);
const operationInfoType = t.struct(`${NS}.operation_info`, { schemes });
const serviceInfoType = t.struct(`${NS}.service_info`, { schemes, operations: t.map(t.id('com.vmware.vapi.operation'), operationInfoType) });
const packageInfoType = t.struct(`${NS}.package_info`, { schemes, services: t.map(t.id('com.vmware.vapi.service'), serviceInfoType) });
const componentInfoType = t.struct(`${NS}.component_info`, { packages: t.map(t.id('com.vmware.vapi.package'), packageInfoType) });
const componentDataType = t.struct(`${NS}.component_data`, { info: componentInfoType, fingerprint: t.string });

function missing(kind: string, id: string) {
  return notFound(`${NS}.not_found`, `${kind} ${id} has no authentication information.`, [id]);
}

function found<T>(value: T | undefined, kind: string, id: string): T {
  if (value === undefined) throw missing(kind, id);
  return value;
}

type Op = OperationDefinition<Record<string, string>, unknown>;

function list(path: string, output: VType, handler: () => unknown): Op {
  return { id: 'list', input: operationInput(), output, errors: [], api: { method: 'GET', path }, handler: async () => handler() };
}

function get(param: string, resource: string, path: string, output: VType, read: (id: string) => unknown): Op {
  return {
    id: 'get',
    input: operationInput({ [param]: t.id(resource) }),
    output,
    errors: ['NOT_FOUND'],
    api: { method: 'GET', path: `${path}/{${param}}` },
    handler: async (input) => read(input[param]!),
  };
}

/** The four `com.vmware.vapi.metadata.authentication` services, answering from the operation table (metadata-authentication.md). */
export function metadataAuthenticationServices(metadata: AuthenticationMetadata): ServiceDefinition[] {
  const ids = t.list(t.id());
  return [
    {
      id: `${NS}.component`,
      operations: [
        list(`${BASE}/component`, ids, () => metadata.components()),
        get('component_id', 'com.vmware.vapi.component', `${BASE}/component`, componentDataType, (id) => found(metadata.component(id), 'Component', id)),
        {
          id: 'fingerprint',
          input: operationInput({ component_id: t.id('com.vmware.vapi.component') }),
          output: t.string,
          errors: ['NOT_FOUND'],
          api: { method: 'GET', path: `${BASE}/component/{component_id}/fingerprint` },
          handler: async (input: { component_id: string }) => found(metadata.component(input.component_id), 'Component', input.component_id).fingerprint,
        },
      ],
    },
    {
      id: `${NS}.package`,
      operations: [
        list(`${BASE}/package`, ids, () => metadata.packages()),
        get('package_id', 'com.vmware.vapi.package', `${BASE}/package`, packageInfoType, (id) => found(metadata.package(id), 'Package', id)),
      ],
    },
    {
      id: `${NS}.service`,
      operations: [
        list(`${BASE}/service`, ids, () => metadata.services()),
        get('service_id', 'com.vmware.vapi.service', `${BASE}/service`, serviceInfoType, (id) => found(metadata.service(id), 'Service', id)),
      ],
    },
    {
      id: `${NS}.service.operation`,
      operations: [
        {
          id: 'list',
          input: operationInput({ service_id: t.id('com.vmware.vapi.service') }),
          output: ids,
          errors: ['NOT_FOUND'],
          api: { method: 'GET', path: `${BASE}/service/{service_id}/operation` },
          handler: async (input: { service_id: string }) => {
            const operations = metadata.operations(input.service_id);
            if (!operations || operations.length === 0) throw missing('Service', input.service_id);
            return operations;
          },
        },
        {
          id: 'get',
          input: operationInput({ service_id: t.id('com.vmware.vapi.service'), operation_id: t.id('com.vmware.vapi.operation') }),
          output: operationInfoType,
          errors: ['NOT_FOUND'],
          api: { method: 'GET', path: `${BASE}/service/{service_id}/operation/{operation_id}` },
          handler: async (input: { service_id: string; operation_id: string }) => {
            const service = found(metadata.service(input.service_id), 'Service', input.service_id);
            return found(service.operations[input.operation_id], 'Operation', `${input.service_id}.${input.operation_id}`);
          },
        },
      ],
    },
  ];
}
