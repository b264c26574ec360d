import type { ServiceDefinition } from '../core/operations.js';
import { t } from '../core/types.js';
import type { PrivilegeMetadata } from '../metadata/privilege-metadata.js';
import { metadataServices } from './metadata-services.js';

const NS = 'com.vmware.vapi.metadata.privilege';

const privileges = t.list(t.string);
const privilegeInfoType = t.struct(`${NS}.privilege_info`, { property_path: t.string, privileges });
const operationInfoType = t.struct(`${NS}.operation_info`, { privileges, privilege_info: t.list(privilegeInfoType) });
const serviceInfoType = t.struct(`${NS}.service_info`, { operations: t.map(t.id('com.vmware.vapi.operation'), operationInfoType) });
const packageInfoType = t.struct(`${NS}.package_info`, { privileges, services: t.map(t.id('com.vmware.vapi.service'), serviceInfoType) });
const componentInfoType = t.struct(`${NS}.component_info`, { packages: t.map(t.id('com.vmware.vapi.package'), packageInfoType) });
const componentDataType = t.struct(`${NS}.component_data`, { info: componentInfoType, fingerprint: t.string });

/** The four `com.vmware.vapi.metadata.privilege` services, answering from the operation table (authorization.md §3). */
export function metadataPrivilegeServices(metadata: PrivilegeMetadata): ServiceDefinition[] {
  return metadataServices(
    'privilege',
    { componentData: componentDataType, packageInfo: packageInfoType, serviceInfo: serviceInfoType, operationInfo: operationInfoType },
    metadata,
  );
}
