import type { Node } from 'yaml';
import { isMap, isScalar, isSeq, parseYamlFile } from '../config/yaml-file.js';
import { coversPackage, packageOf, type OperationTable } from '../core/operation-table.js';
import { SCHEMES, type SchemeId } from '../core/schemes.js';

/** Schemes per package, service and operation (`<service id>.<operation id>`), overriding the built-in declarations. */
export interface AuthDefinition {
  packages: Record<string, SchemeId[]>;
  services: Record<string, SchemeId[]>;
  operations: Record<string, SchemeId[]>;
}

export class AuthDefinitionError extends Error {
  override name = 'AuthDefinitionError';
}

const SECTIONS = ['packages', 'services', 'operations'] as const;

/** Short names accepted in the file beside the full ids. */
const SHORT_NAMES: Record<string, SchemeId> = {
  user_pass: SCHEMES.userPass,
  session_id: SCHEMES.sessionId,
  saml_bearer_token: SCHEMES.samlBearer,
  saml_hok_token: SCHEMES.samlHok,
  oauth: SCHEMES.oauth,
  no_authentication: SCHEMES.none,
};
const ALL_IDS = new Set<string>(Object.values(SCHEMES));

/** The YAML parser, loaded with the first definition: most servers have none, and it costs start-up time. */

/**
 * Reads an authentication definition (YAML, or JSON, which is YAML too) and checks it against the
 * operation table and the schemes this server can check. Every mistake names the file, the line
 * and the key; nothing is applied unless the whole file is right.
 */
export function parseAuthDefinition(text: string, file: string, table: OperationTable, supported: ReadonlySet<SchemeId>): AuthDefinition {
  const { document, fail } = parseYamlFile(text, file, (message) => new AuthDefinitionError(message));
  const definition: AuthDefinition = { packages: {}, services: {}, operations: {} };
  const root = document.contents;
  if (root === null) return definition;
  if (!isMap(root)) return fail(root, `expected a mapping with ${SECTIONS.join(', ')}`);
  const seenSections = new Set<string>();
  for (const section of root.items) {
    const name = isScalar(section.key) ? String(section.key.value) : '';
    if (!(SECTIONS as readonly string[]).includes(name)) {
      fail(section.key as Node, `unknown section "${name}" (expected ${SECTIONS.join(', ')})`);
    }
    if (seenSections.has(name)) fail(section.key as Node, `section ${name} is given twice`);
    seenSections.add(name);
    if (!isMap(section.value)) fail((section.value ?? section.key) as Node, `${name}: expected a mapping of ids to scheme lists`);
    for (const entry of (section.value as { items: { key: unknown; value: unknown }[] }).items) {
      const key = entry.key as Node;
      const id = isScalar(key) ? String(key.value) : fail(key, `${name}: expected an id`);
      if (Object.hasOwn(definition[name as (typeof SECTIONS)[number]], id)) fail(key, `${name}: ${id} is given twice`);
      checkTarget(name as (typeof SECTIONS)[number], id, table, (message) => fail(key, message));
      const value = entry.value as Node;
      if (!isSeq(value) || value.items.length === 0) fail(value ?? key, `${name}.${id}: expected a non-empty list of schemes`);
      const schemes = (value as { items: Node[] }).items.map((item) => {
        const text = isScalar(item) ? String(item.value) : '';
        const scheme = SHORT_NAMES[text] ?? (ALL_IDS.has(text) ? (text as SchemeId) : undefined);
        if (!scheme) return fail(item, `${name}.${id}: unknown scheme "${text}" (known: ${Object.keys(SHORT_NAMES).join(', ')})`);
        if (scheme === SCHEMES.none && name !== 'operations') return fail(item, `${name}.${id}: anonymous access may only be granted per operation`);
        if (!supported.has(scheme)) return fail(item, `${name}.${id}: this server cannot check ${text}`);
        return scheme;
      });
      definition[name as (typeof SECTIONS)[number]][id] = schemes;
    }
  }
  return definition;
}

function checkTarget(section: (typeof SECTIONS)[number], id: string, table: OperationTable, fail: (message: string) => never): void {
  // A package that covers no service would change nothing: almost certainly a misspelt id.
  if (section === 'packages' && !table.services().some((service) => coversPackage(id, packageOf(service.id)))) {
    fail(`packages: no service lies in package ${id}`);
  }
  if (section === 'services' && !table.service(id)) fail(`services: no service ${id}`);
  if (section === 'operations') {
    const dot = id.lastIndexOf('.');
    if (dot < 0 || !table.lookup(id.slice(0, dot), id.slice(dot + 1))) fail(`operations: no operation ${id} (write <service id>.<operation id>)`);
  }
}

/** Applies a checked definition to the table (before any dialect reads it). */
export function applyAuthDefinition(table: OperationTable, definition: AuthDefinition): void {
  for (const [id, schemes] of Object.entries(definition.packages)) table.definePackage(id, schemes);
  for (const [id, schemes] of Object.entries(definition.services)) table.setServiceSchemes(id, schemes);
  for (const [id, schemes] of Object.entries(definition.operations)) {
    const dot = id.lastIndexOf('.');
    table.setOperationSchemes(id.slice(0, dot), id.slice(dot + 1), schemes);
  }
}
