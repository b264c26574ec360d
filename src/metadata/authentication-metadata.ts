import { packageOf, type OperationTable } from '../core/operation-table.js';
import { authenticationInfo, type AuthenticationInfo, type SchemeId } from '../core/schemes.js';
import { componentData, componentOf } from './component.js';

export interface OperationInfo {
  schemes: AuthenticationInfo[];
}
export interface ServiceInfo {
  schemes: AuthenticationInfo[];
  operations: Record<string, OperationInfo>;
}
export interface PackageInfo {
  schemes: AuthenticationInfo[];
  services: Record<string, ServiceInfo>;
}
export interface ComponentInfo {
  packages: Record<string, PackageInfo>;
}

const infos = (schemes: readonly SchemeId[] | undefined): AuthenticationInfo[] => (schemes ?? []).map(authenticationInfo);

/**
 * What `com.vmware.vapi.metadata.authentication` reports, read from the operation table: the schemes
 * declared at each level (package, service, operation), never the inherited result. An element is
 * listed when it, or something inside it, declares schemes. The same table drives enforcement, so
 * the two cannot disagree.
 */
export class AuthenticationMetadata {
  constructor(private readonly table: OperationTable) {}

  /** The package a service's information is filed under: the longest declared package covering it, else its own. */
  #packageKey(serviceId: string): string {
    return this.table.packageSchemesFor(serviceId)?.id ?? packageOf(serviceId);
  }

  service(id: string): ServiceInfo | undefined {
    const service = this.table.service(id);
    if (!service) return undefined;
    const operations: Record<string, OperationInfo> = {};
    for (const operation of service.operations) {
      const declared = this.table.declaredOperationSchemes(id, operation.id);
      if (declared) operations[operation.id] = { schemes: infos(declared) };
    }
    const declared = this.table.declaredServiceSchemes(id);
    if (!declared && Object.keys(operations).length === 0) return undefined;
    return { schemes: infos(declared), operations };
  }

  services(): string[] {
    return this.table.services().flatMap((service) => (this.service(service.id) ? [service.id] : []));
  }

  packages(): string[] {
    const ids = new Set([...this.table.packageSchemes().keys(), ...this.services().map((id) => this.#packageKey(id))]);
    return [...ids].sort();
  }

  package(id: string): PackageInfo | undefined {
    if (!this.packages().includes(id)) return undefined;
    const services: Record<string, ServiceInfo> = {};
    for (const serviceId of this.services()) {
      if (this.#packageKey(serviceId) === id) services[serviceId] = this.service(serviceId)!;
    }
    return { schemes: infos(this.table.packageSchemes().get(id)), services };
  }

  components(): string[] {
    return [...new Set(this.packages().map(componentOf))].sort();
  }

  component(id: string): { info: ComponentInfo; fingerprint: string } | undefined {
    const packages = this.packages().filter((pkg) => componentOf(pkg) === id);
    if (packages.length === 0) return undefined;
    return componentData(Object.fromEntries(packages.map((pkg) => [pkg, this.package(pkg)!])));
  }

  /** Operation ids of a service with their own (operation-level) information. */
  operations(serviceId: string): string[] | undefined {
    const service = this.service(serviceId);
    return service && Object.keys(service.operations);
  }
}
