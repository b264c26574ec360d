import type { OperationDefinition, ResolvedOperation, ServiceDefinition } from './operations.js';
import { idTypeAt } from './input-objects.js';
import { SCHEMES, type SchemeId } from './schemes.js';

/** `com.vmware.cis.session` → `com.vmware.cis`. */
export function packageOf(serviceId: string): string {
  const dot = serviceId.lastIndexOf('.');
  return dot < 0 ? serviceId : serviceId.slice(0, dot);
}

/** Whether declared package `declared` covers package `pkg`: itself, or one below it in whole dot-separated segments. */
export function coversPackage(declared: string, pkg: string): boolean {
  return pkg === declared || pkg.startsWith(`${declared}.`);
}

/**
 * The one table of operations. Routing, authentication and the metadata service all read it;
 * nothing else decides which operations exist or which schemes they take.
 */
export class OperationTable {
  readonly #services = new Map<string, ServiceDefinition>();
  readonly #packageSchemes = new Map<string, readonly SchemeId[]>();
  readonly #packagePrivileges = new Map<string, readonly string[]>();
  /** Overrides of what services and operations declare (the authentication definition file). */
  readonly #serviceSchemes = new Map<string, readonly SchemeId[]>();
  readonly #operationSchemes = new Map<string, readonly SchemeId[]>();
  /** Resolved operations by `service/operation`, forgotten whenever a declaration changes. */
  readonly #resolved = new Map<string, ResolvedOperation | undefined>();

  /** Declares the schemes of every service in package `id` (and its sub-packages) that declares none. */
  definePackage(id: string, schemes: readonly SchemeId[]): this {
    if (schemes.includes(SCHEMES.none)) {
      throw new Error(`package ${id}: anonymous access may only be granted per operation`);
    }
    this.#packageSchemes.set(id, [...schemes]);
    this.#resolved.clear();
    return this;
  }

  /** Declares the privileges of every operation in package `id` (and its sub-packages) whose service and operation declare none. */
  definePackagePrivileges(id: string, privileges: readonly string[]): this {
    this.#packagePrivileges.set(id, [...privileges]);
    this.#resolved.clear();
    return this;
  }

  addService(service: ServiceDefinition): this {
    if (this.#services.has(service.id)) throw new Error(`service ${service.id} is already registered`);
    if (service.schemes?.includes(SCHEMES.none)) {
      throw new Error(`service ${service.id}: anonymous access may only be granted per operation`);
    }
    const ids = new Set<string>();
    for (const operation of service.operations) {
      if (ids.has(operation.id)) throw new Error(`service ${service.id}: operation ${operation.id} is declared twice`);
      ids.add(operation.id);
      for (const path of Object.keys(operation.privilegeInfo ?? {})) {
        if (!idTypeAt(operation.input, path)) throw new Error(`${service.id}.${operation.id}: privilege_info ${path} names no id in the input`);
      }
    }
    this.#services.set(service.id, service);
    this.#resolved.clear();
    return this;
  }

  /** Replaces the schemes service `id` declares. */
  setServiceSchemes(id: string, schemes: readonly SchemeId[]): this {
    if (!this.#services.has(id)) throw new Error(`no service ${id}`);
    if (schemes.includes(SCHEMES.none)) throw new Error(`service ${id}: anonymous access may only be granted per operation`);
    this.#serviceSchemes.set(id, [...schemes]);
    this.#resolved.clear();
    return this;
  }

  /** Replaces the schemes operation `operationId` of service `serviceId` declares. */
  setOperationSchemes(serviceId: string, operationId: string, schemes: readonly SchemeId[]): this {
    if (!this.#services.get(serviceId)?.operations.some((op) => op.id === operationId)) {
      throw new Error(`no operation ${operationId} in service ${serviceId}`);
    }
    this.#operationSchemes.set(`${serviceId}/${operationId}`, [...schemes]);
    this.#resolved.clear();
    return this;
  }

  /** The schemes service `id` declares itself (not inherited), if any. */
  declaredServiceSchemes(id: string): readonly SchemeId[] | undefined {
    return this.#serviceSchemes.get(id) ?? this.#services.get(id)?.schemes;
  }

  /** The schemes an operation declares itself (not inherited), if any. */
  declaredOperationSchemes(serviceId: string, operationId: string): readonly SchemeId[] | undefined {
    return (
      this.#operationSchemes.get(`${serviceId}/${operationId}`) ??
      this.#services.get(serviceId)?.operations.find((op) => op.id === operationId)?.schemes
    );
  }

  service(id: string): ServiceDefinition | undefined {
    return this.#services.get(id);
  }

  services(): ServiceDefinition[] {
    return [...this.#services.values()];
  }

  /** Package ids with declared schemes, and those schemes. */
  packageSchemes(): ReadonlyMap<string, readonly SchemeId[]> {
    return this.#packageSchemes;
  }

  /** The schemes declared for the longest package id that covers `serviceId`. */
  packageSchemesFor(serviceId: string): { id: string; schemes: readonly SchemeId[] } | undefined {
    const found = longestCovering(this.#packageSchemes, serviceId);
    return found && { id: found.id, schemes: found.value };
  }

  /** Package ids with declared privileges, and those privileges. */
  packagePrivileges(): ReadonlyMap<string, readonly string[]> {
    return this.#packagePrivileges;
  }

  /** The privileges declared for the longest package id that covers `serviceId`. */
  packagePrivilegesFor(serviceId: string): { id: string; privileges: readonly string[] } | undefined {
    const found = longestCovering(this.#packagePrivileges, serviceId);
    return found && { id: found.id, privileges: found.value };
  }

  /** Every privilege an operation, service or package of the table names: what roles can grant besides the system ones. */
  declaredPrivileges(): string[] {
    const all = new Set<string>();
    for (const privileges of this.#packagePrivileges.values()) for (const p of privileges) all.add(p);
    for (const service of this.#services.values()) {
      for (const p of [...(service.privileges ?? []), ...(service.checks ?? [])]) all.add(p);
      for (const operation of service.operations) {
        for (const p of operation.privileges ?? []) all.add(p);
        for (const list of Object.values(operation.privilegeInfo ?? {})) for (const p of list) all.add(p);
      }
    }
    return [...all].sort();
  }

  lookup(serviceId: string, operationId: string): ResolvedOperation | undefined {
    const key = `${serviceId}/${operationId}`;
    if (this.#resolved.has(key)) return this.#resolved.get(key);
    const service = this.#services.get(serviceId);
    const operation = service?.operations.find((candidate) => candidate.id === operationId);
    const resolved = service && operation ? this.#resolve(service, operation) : undefined;
    // Only known operations are kept: unknown ids come from clients and must not grow the map.
    if (resolved) this.#resolved.set(key, resolved);
    return resolved;
  }

  /** Every operation with its effective schemes. */
  operations(): ResolvedOperation[] {
    return this.services().flatMap((service) => service.operations.map((op) => this.#resolve(service, op)));
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  #resolve(service: ServiceDefinition, operation: OperationDefinition<any, any>): ResolvedOperation {
    const schemes =
      this.declaredOperationSchemes(service.id, operation.id) ??
      this.declaredServiceSchemes(service.id) ??
      this.packageSchemesFor(service.id)?.schemes ??
      [];
    const privileges = operation.privileges ?? service.privileges ?? this.packagePrivilegesFor(service.id)?.privileges ?? [];
    return { service, operation, schemes, privileges };
  }
}

/** The entry of `byPackage` with the longest package id that covers `serviceId`'s package. */
function longestCovering<T>(byPackage: ReadonlyMap<string, T>, serviceId: string): { id: string; value: T } | undefined {
  const pkg = packageOf(serviceId);
  let best: { id: string; value: T } | undefined;
  for (const [id, value] of byPackage) {
    if (coversPackage(id, pkg) && (!best || id.length > best.id.length)) best = { id, value };
  }
  return best;
}
