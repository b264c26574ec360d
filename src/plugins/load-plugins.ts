import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServiceDefinition } from '../core/operations.js';

export class PluginError extends Error {
  override name = 'PluginError';
}

function isServiceDefinition(value: unknown): value is ServiceDefinition {
  const candidate = value as Partial<ServiceDefinition> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.id === 'string' &&
    Array.isArray(candidate.operations) &&
    candidate.operations.every((op) => typeof op?.id === 'string' && typeof op.handler === 'function')
  );
}

/**
 * Imports each plugin module; its default export is a service definition or a list of them.
 * Anything else stops the start with an error naming the file.
 */
export async function loadPlugins(files: readonly string[]): Promise<ServiceDefinition[]> {
  const services: ServiceDefinition[] = [];
  for (const file of files) {
    let module: { default?: unknown };
    try {
      module = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
    } catch (error) {
      throw new PluginError(`plugin ${file} could not be loaded: ${(error as Error).message}`);
    }
    const exported = Array.isArray(module.default) ? module.default : [module.default];
    if (exported.length === 0 || !exported.every(isServiceDefinition)) {
      throw new PluginError(
        `plugin ${file} must export by default a service definition ({ id, operations: [{ id, handler, … }] }) or a list of them`,
      );
    }
    services.push(...exported);
  }
  return services;
}
