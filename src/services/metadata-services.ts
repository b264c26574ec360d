import { notFound } from '../core/errors.js';
import type { OperationDefinition, ServiceDefinition } from '../core/operations.js';
import { operationInput, t, type VType } from '../core/types.js';

/** What a metadata family (authentication, privilege) answers from: the same containment, other contents. */
export interface MetadataSource {
  components(): string[];
  component(id: string): { fingerprint: string } | undefined;
  packages(): string[];
  package(id: string): unknown;
  services(): string[];
  service(id: string): { operations: Record<string, unknown> } | undefined;
  /** Operation ids of a service that have information of their own. */
  operations(serviceId: string): string[] | undefined;
}

/** The structures of a family, by their role in the containment. */
export interface MetadataTypes {
  componentData: VType;
  packageInfo: VType;
  serviceInfo: VType;
  operationInfo: VType;
}

type Op = OperationDefinition<Record<string, string>, unknown>;

/**
 * The four services of `com.vmware.vapi.metadata.<family>` (component, package, service,
 * service.operation), each `list` and `get` (and the component fingerprint), on `/api` below
 * `/vapi/metadata/<family>`. Unknown ids are NOT_FOUND.
 */
export function metadataServices(family: 'authentication' | 'privilege', types: MetadataTypes, source: MetadataSource): ServiceDefinition[] {
  const ns = `com.vmware.vapi.metadata.${family}`;
  const base = `/vapi/metadata/${family}`;
  const ids = t.list(t.id());
  const missing = (kind: string, id: string) => notFound(`${ns}.not_found`, `${kind} ${id} has no ${family} information.`, [id]);
  const found = <T>(value: T | undefined, kind: string, id: string): T => {
    if (value === undefined) throw missing(kind, id);
    return value;
  };
  const list = (path: string, read: () => unknown): Op => ({
    id: 'list',
    input: operationInput(),
    output: ids,
    errors: [],
    api: { method: 'GET', path },
    handler: async () => read(),
  });
  const get = (param: string, resource: string, path: string, output: VType, read: (id: string) => unknown): Op => ({
    id: 'get',
    input: operationInput({ [param]: t.id(resource) }),
    output,
    errors: ['NOT_FOUND'],
    api: { method: 'GET', path: `${path}/{${param}}` },
    handler: async (input) => read(input[param]!),
  });
  return [
    {
      id: `${ns}.component`,
      operations: [
        list(`${base}/component`, () => source.components()),
        get('component_id', 'com.vmware.vapi.component', `${base}/component`, types.componentData, (id) => found(source.component(id), 'Component', id)),
        {
          id: 'fingerprint',
          input: operationInput({ component_id: t.id('com.vmware.vapi.component') }),
          output: t.string,
          errors: ['NOT_FOUND'],
          api: { method: 'GET', path: `${base}/component/{component_id}/fingerprint` },
          handler: async (input: { component_id: string }) => found(source.component(input.component_id), 'Component', input.component_id).fingerprint,
        },
      ],
    },
    {
      id: `${ns}.package`,
      operations: [
        list(`${base}/package`, () => source.packages()),
        get('package_id', 'com.vmware.vapi.package', `${base}/package`, types.packageInfo, (id) => found(source.package(id), 'Package', id)),
      ],
    },
    {
      id: `${ns}.service`,
      operations: [
        list(`${base}/service`, () => source.services()),
        get('service_id', 'com.vmware.vapi.service', `${base}/service`, types.serviceInfo, (id) => found(source.service(id), 'Service', id)),
      ],
    },
    {
      id: `${ns}.service.operation`,
      operations: [
        {
          id: 'list',
          input: operationInput({ service_id: t.id('com.vmware.vapi.service') }),
          output: ids,
          errors: ['NOT_FOUND'],
          api: { method: 'GET', path: `${base}/service/{service_id}/operation` },
          handler: async (input: { service_id: string }) => {
            const operations = source.operations(input.service_id);
            if (!operations || operations.length === 0) throw missing('Service', input.service_id);
            return operations;
          },
        },
        {
          id: 'get',
          input: operationInput({ service_id: t.id('com.vmware.vapi.service'), operation_id: t.id('com.vmware.vapi.operation') }),
          output: types.operationInfo,
          errors: ['NOT_FOUND'],
          api: { method: 'GET', path: `${base}/service/{service_id}/operation/{operation_id}` },
          handler: async (input: { service_id: string; operation_id: string }) => {
            const service = found(source.service(input.service_id), 'Service', input.service_id);
            return found(service.operations[input.operation_id], 'Operation', `${input.service_id}.${input.operation_id}`);
          },
        },
      ],
    },
  ];
}
