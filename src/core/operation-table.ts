import type { OperationDefinition, ResolvedOperation, ServiceDefinition } from './operations.js';
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
  /** Overrides of what services and operations declare (the authentication definition file). */
  readonly #serviceSchemes = new Map<string, readonly SchemeId[]>();
  readonly #operationSchemes = new Map<string, readonly SchemeId[]>();

  /** Declares the schemes of every service in package `id` (and its sub-packages) that declares none. */
  definePackage(id: string, schemes: readonly SchemeId[]): this {
    if (schemes.includes(SCHEMES.none)) {
      throw new Error(`package ${id}: anonymous access may only be granted per operation`);
    }
    this.#packageSchemes.set(id, [...schemes]);
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
    }
    this.#services.set(service.id, service);
    return this;
  }

  /** Replaces the schemes service `id` declares. */
  setServiceSchemes(id: string, schemes: readonly SchemeId[]): this {
    if (!this.#services.has(id)) throw new Error(`no service ${id}`);
    if (schemes.includes(SCHEMES.none)) throw new Error(`service ${id}: anonymous access may only be granted per operation`);
    this.#serviceSchemes.set(id, [...schemes]);
    return this;
  }

  /** Replaces the schemes operation `operationId` of service `serviceId` declares. */
  setOperationSchemes(serviceId: string, operationId: string, schemes: readonly SchemeId[]): this {
    if (!this.#services.get(serviceId)?.operations.some((op) => op.id === operationId)) {
      throw new Error(`no operation ${operationId} in service ${serviceId}`);
    }
    this.#operationSchemes.set(`${serviceId}/${operationId}`, [...schemes]);
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
    const pkg = packageOf(serviceId);
    let best: { id: string; schemes: readonly SchemeId[] } | undefined;
    for (const [id, schemes] of this.#packageSchemes) {
      if (coversPackage(id, pkg) && (!best || id.length > best.id.length)) best = { id, schemes };
    }
    return best;
  }

  lookup(serviceId: string, operationId: string): ResolvedOperation | undefined {
    const service = this.#services.get(serviceId);
    const operation = service?.operations.find((candidate) => candidate.id === operationId);
    return service && operation ? this.#resolve(service, operation) : undefined;
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
    return { service, operation, schemes };
  }
}
