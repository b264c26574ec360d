import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Node, YAMLMap } from 'yaml';
import { parseDuration } from '../config/duration.js';
import { isMap, isScalar, isSeq, parseYamlFile, type Fail } from '../config/yaml-file.js';
import { PRESETS, type GroupLookup, type LdapSchema, type PresetName } from './presets.js';
import { Secret } from './secret.js';

/** One LDAP or Active Directory source, as checked at start. */
export interface LdapSourceConfig {
  type: 'ldap';
  /** Lower-case DNS domain the users log in with (`example.com`). */
  domain: string;
  /** Lower-case short name (`example` for `EXAMPLE\ann`); absent when none is given. */
  alias: string | undefined;
  preset: PresetName;
  /** Tried in order: the next one when one does not answer. */
  urls: string[];
  startTls: boolean;
  /** PEM of the CAs trusted for `ldaps://` and StartTLS; the system's when absent. */
  ca: string | undefined;
  bindDn: string;
  bindPassword: Secret;
  userBaseDn: string;
  groupBaseDn: string;
  connectTimeoutMs: number;
  timeoutMs: number;
  /** How long a server that did not answer is passed over before it is tried again. */
  retryIntervalMs: number;
  schema: LdapSchema;
  groups: GroupLookup;
  nestedGroups: boolean;
}

export interface IdentitySourcesConfig {
  /** The domain of a bare user name; the local domain when absent. */
  defaultDomain: string | undefined;
  sources: LdapSourceConfig[];
}

export class IdentitySourcesError extends Error {
  override name = 'IdentitySourcesError';
}

const SOURCE_KEYS = [
  'type', 'domain', 'alias', 'preset', 'url', 'startTls', 'caFile', 'bindDn', 'bindPasswordFile', 'userBaseDn', 'groupBaseDn',
  'connectTimeout', 'timeout', 'retryInterval', 'attributes', 'groups', 'nestedGroups',
] as const;
const ATTRIBUTE_KEYS = Object.keys(PRESETS.openldap.schema) as (keyof LdapSchema)[];
const GROUP_LOOKUPS: readonly GroupLookup[] = ['memberOf', 'member', 'in-chain'];
const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const ALIAS = /^[a-z0-9][a-z0-9_-]{0,14}$/;
const ATTRIBUTE = /^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)$/;
const DEFAULTS = { connectTimeoutMs: 5_000, timeoutMs: 10_000, retryIntervalMs: 10_000 };

/**
 * Reads an identity sources file (YAML): `defaultDomain` and a `sources:` list. Every mistake names
 * the file, line and column; files it names (CA, bind password) are read now, relative to the file.
 * `localDomain` may be neither a source's domain nor its alias.
 */
export function parseIdentitySources(text: string, file: string, localDomain: string): IdentitySourcesConfig {
  const { document, fail } = parseYamlFile(text, file, (message) => new IdentitySourcesError(message));
  const root = document.contents;
  if (!isMap(root)) return fail(root, 'expected a mapping with sources (and defaultDomain)');
  const top = entries(root, ['defaultDomain', 'sources'], '', fail);
  const names = new Map<string, Node>();
  const claim = (name: string, node: Node, what: string) => {
    if (name === localDomain) fail(node, `${what} ${name} is the local domain`);
    if (names.has(name)) fail(node, `${what} ${name} is already a domain or alias of another source`);
    names.set(name, node);
  };
  const sourcesNode = top.get('sources');
  if (!isSeq(sourcesNode) || sourcesNode.items.length === 0) return fail(sourcesNode ?? root, 'sources: expected a non-empty list');
  const base = dirname(resolve(file));
  const sources = (sourcesNode.items as Node[]).map((item, index) => {
    const source = parseSource(item, `sources[${index}]`, base, fail);
    claim(source.domain, item, 'domain');
    if (source.alias) claim(source.alias, item, 'alias');
    return source;
  });
  const defaultNode = top.get('defaultDomain');
  let defaultDomain: string | undefined;
  if (defaultNode) {
    defaultDomain = scalarText(defaultNode, 'defaultDomain', fail).toLowerCase();
    const known = defaultDomain === localDomain || sources.some((source) => source.domain === defaultDomain || source.alias === defaultDomain);
    if (!known) fail(defaultNode, `defaultDomain: ${defaultDomain} is neither the local domain nor a source's domain or alias`);
    defaultDomain = sources.find((source) => source.alias === defaultDomain)?.domain ?? defaultDomain;
  }
  return { defaultDomain, sources };
}

function entries(map: YAMLMap, allowed: readonly string[], where: string, fail: Fail): Map<string, Node> {
  const found = new Map<string, Node>();
  for (const pair of map.items) {
    const key = pair.key as Node;
    const name = isScalar(key) ? String(key.value) : '';
    if (!allowed.includes(name)) fail(key, `${where}unknown key "${name}" (known: ${allowed.join(', ')})`);
    if (found.has(name)) fail(key, `${where}${name} is given twice`);
    found.set(name, (pair.value ?? key) as Node);
  }
  return found;
}

function scalarText(node: Node, where: string, fail: Fail): string {
  if (!isScalar(node) || node.value === null || typeof node.value === 'object' || String(node.value) === '') fail(node, `${where}: expected a value`);
  return String((node as { value: unknown }).value);
}

function parseSource(item: Node, where: string, base: string, fail: Fail): LdapSourceConfig {
  if (!isMap(item)) return fail(item, `${where}: expected a mapping`);
  const keys = entries(item, SOURCE_KEYS, `${where}: `, fail);
  const required = (key: (typeof SOURCE_KEYS)[number]) => keys.get(key) ?? fail(item, `${where}: ${key} is required`);
  const text = (key: (typeof SOURCE_KEYS)[number]) => scalarText(required(key), `${where}.${key}`, fail);
  const optional = <T>(key: (typeof SOURCE_KEYS)[number], read: (node: Node) => T, otherwise: T): T => {
    const node = keys.get(key);
    return node ? read(node) : otherwise;
  };
  const boolean = (node: Node, key: string) =>
    isScalar(node) && typeof node.value === 'boolean' ? node.value : fail(node, `${where}.${key}: expected true or false`);
  const duration = (key: 'connectTimeout' | 'timeout' | 'retryInterval', otherwise: number) =>
    optional(key, (node) => {
      const ms = parseDuration(scalarText(node, `${where}.${key}`, fail));
      return ms !== undefined && ms > 0 ? ms : fail(node, `${where}.${key}: expected a duration (5s, 500ms, 1m)`);
    }, otherwise);
  const readFile = (key: 'caFile' | 'bindPasswordFile', node: Node) => {
    const path = resolve(base, scalarText(node, `${where}.${key}`, fail));
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      return fail(node, `${where}.${key}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };

  if (text('type') !== 'ldap') fail(required('type'), `${where}.type: expected ldap`);
  const domain = text('domain').toLowerCase();
  if (!DOMAIN.test(domain)) fail(required('domain'), `${where}.domain: "${domain}" is not a DNS domain`);
  const alias = optional('alias', (node) => scalarText(node, `${where}.alias`, fail).toLowerCase(), undefined);
  if (alias !== undefined && !ALIAS.test(alias)) fail(keys.get('alias'), `${where}.alias: "${alias}" is not a NetBIOS-style name`);
  const presetName = text('preset');
  if (!Object.hasOwn(PRESETS, presetName)) fail(required('preset'), `${where}.preset: expected ${Object.keys(PRESETS).join(' or ')}`);
  const preset = PRESETS[presetName as PresetName];

  const urlNode = required('url');
  const urlNodes = isSeq(urlNode) ? (urlNode.items as Node[]) : [urlNode];
  if (urlNodes.length === 0) fail(urlNode, `${where}.url: expected a URL or a non-empty list of URLs`);
  const urls = urlNodes.map((node) => {
    const url = scalarText(node, `${where}.url`, fail);
    if (!/^ldaps?:\/\/[^/?#\s]+\/?$/i.test(url)) fail(node, `${where}.url: "${url}" is not ldap://host[:port] or ldaps://host[:port]`);
    return url.replace(/\/$/, '');
  });
  const startTls = optional('startTls', (node) => boolean(node, 'startTls'), false);
  if (startTls && urls.some((url) => /^ldaps:/i.test(url))) fail(keys.get('startTls'), `${where}.startTls: StartTLS is for ldap:// URLs; ldaps:// is TLS already`);

  const schema: LdapSchema = { ...preset.schema };
  const attributes = keys.get('attributes');
  if (attributes) {
    if (!isMap(attributes)) fail(attributes, `${where}.attributes: expected a mapping`);
    for (const [name, node] of entries(attributes as YAMLMap, ATTRIBUTE_KEYS, `${where}.attributes: `, fail)) {
      const value = isScalar(node) && node.value === '' ? '' : scalarText(node, `${where}.attributes.${name}`, fail);
      if (value !== '' || name !== 'userPrincipalName') {
        if (!ATTRIBUTE.test(value)) fail(node, `${where}.attributes.${name}: "${value}" is not an attribute or object class name`);
      }
      schema[name as keyof LdapSchema] = value;
    }
  }
  const groups = optional('groups', (node) => {
    const value = scalarText(node, `${where}.groups`, fail);
    return (GROUP_LOOKUPS as readonly string[]).includes(value) ? (value as GroupLookup) : fail(node, `${where}.groups: expected ${GROUP_LOOKUPS.join(', ')}`);
  }, preset.groups as GroupLookup);

  const bindPassword = readFile('bindPasswordFile', required('bindPasswordFile')).replace(/\r?\n$/, '');
  if (bindPassword === '') fail(required('bindPasswordFile'), `${where}.bindPasswordFile: the file is empty (an empty password is an anonymous bind)`);
  return {
    type: 'ldap',
    domain,
    alias,
    preset: presetName as PresetName,
    urls,
    startTls,
    ca: optional('caFile', (node) => readFile('caFile', node), undefined),
    bindDn: text('bindDn'),
    bindPassword: new Secret(bindPassword),
    userBaseDn: text('userBaseDn'),
    groupBaseDn: text('groupBaseDn'),
    connectTimeoutMs: duration('connectTimeout', DEFAULTS.connectTimeoutMs),
    timeoutMs: duration('timeout', DEFAULTS.timeoutMs),
    retryIntervalMs: duration('retryInterval', DEFAULTS.retryIntervalMs),
    schema,
    groups,
    nestedGroups: optional('nestedGroups', (node) => boolean(node, 'nestedGroups'), preset.nestedGroups),
  };
}
