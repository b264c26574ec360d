import { packageOf, type OperationTable } from '../core/operation-table.js';
import { componentData, componentOf } from './component.js';

export interface PrivilegeInfo {
  property_path: string;
  privileges: string[];
}
export interface OperationPrivilegeInfo {
  privileges: string[];
  privilege_info: PrivilegeInfo[];
}
export interface ServicePrivilegeInfo {
  operations: Record<string, OperationPrivilegeInfo>;
}
export interface PackagePrivilegeInfo {
  privileges: string[];
  services: Record<string, ServicePrivilegeInfo>;
}

/**
 * What `com.vmware.vapi.metadata.privilege` reports, read from the operation table that drives
 * enforcement. A package shows its declared default; every operation shows all the privileges it
 * needs (its own, else its service's, else its package's), since a service has no field of its own.
 */
export class PrivilegeMetadata {
  constructor(private readonly table: OperationTable) {}

  /** The package a service is filed under: the longest package with declared privileges covering it, else its own. */
  #packageKey(serviceId: string): string {
    return this.table.packagePrivilegesFor(serviceId)?.id ?? packageOf(serviceId);
  }

  service(id: string): ServicePrivilegeInfo | undefined {
    const service = this.table.service(id);
    if (!service) return undefined;
    const operations: Record<string, OperationPrivilegeInfo> = {};
    for (const operation of service.operations) {
      const resolved = this.table.lookup(id, operation.id)!;
      operations[operation.id] = {
        privileges: [...resolved.privileges],
        privilege_info: Object.entries(operation.privilegeInfo ?? {}).map(([property_path, privileges]) => ({ property_path, privileges: [...privileges] })),
      };
    }
    return { operations };
  }

  services(): string[] {
    return this.table.services().map((service) => service.id);
  }

  operations(serviceId: string): string[] | undefined {
    const service = this.service(serviceId);
    return service && Object.keys(service.operations);
  }

  packages(): string[] {
    return [...new Set([...this.table.packagePrivileges().keys(), ...this.services().map((id) => this.#packageKey(id))])].sort();
  }

  package(id: string): PackagePrivilegeInfo | undefined {
    if (!this.packages().includes(id)) return undefined;
    const services: Record<string, ServicePrivilegeInfo> = {};
    for (const serviceId of this.services()) if (this.#packageKey(serviceId) === id) services[serviceId] = this.service(serviceId)!;
    return { privileges: [...(this.table.packagePrivileges().get(id) ?? [])], services };
  }

  components(): string[] {
    return [...new Set(this.packages().map(componentOf))].sort();
  }

  component(id: string) {
    const packages = this.packages().filter((pkg) => componentOf(pkg) === id);
    if (packages.length === 0) return undefined;
    return componentData(Object.fromEntries(packages.map((pkg) => [pkg, this.package(pkg)!])));
  }
}
