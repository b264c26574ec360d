import type { ServiceDefinition } from '../core/operations.js';
import { t } from '../core/types.js';
import type { AuthenticationMetadata } from '../metadata/authentication-metadata.js';
import { metadataServices } from './metadata-services.js';

const NS = 'com.vmware.vapi.metadata.authentication';

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

/** The four `com.vmware.vapi.metadata.authentication` services, answering from the operation table (metadata-authentication.md). */
export function metadataAuthenticationServices(metadata: AuthenticationMetadata): ServiceDefinition[] {
  return metadataServices(
    'authentication',
    { componentData: componentDataType, packageInfo: packageInfoType, serviceInfo: serviceInfoType, operationInfo: operationInfoType },
    metadata,
  );
}
