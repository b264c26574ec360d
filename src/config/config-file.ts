import { readFileSync } from 'node:fs';
import type { Node } from 'yaml';
import { isMap, isScalar, isSeq, yaml } from './yaml-file.js';
import { didYouMean } from '../core/did-you-mean.js';
import { ConfigError } from './config-error.js';

/** One option a config file sets: its value as text (a list joined with commas, like a variable) and where it is. */
export interface FileValue {
  text: string;
  /** `FILE:LINE`, for errors. */
  where: string;
}

/** What a config file may hold: each option by its flag name, and whether it may be a list. */
export type FileOptions = ReadonlyMap<string, { multiple: boolean }>;

/**
 * The options a YAML config file sets: a mapping of flag names (`port: 8443`, `plugin: [a.mjs]`)
 * to scalars, or lists for repeatable options. A key it does not know, a value of the wrong shape
 * or broken YAML is a ConfigError naming FILE:LINE.
 */
export function readConfigFile(file: string, options: FileOptions): Map<string, FileValue> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read --config ${file}: ${(error as Error).message}`);
  }
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const at = (node: Node | null | undefined) => `${file}:${node?.range ? lines.linePos(node.range[0]).line : 1}`;
  const [broken] = document.errors;
  if (broken) throw new ConfigError(`${file}:${broken.linePos?.[0].line ?? 1}: ${broken.message.split('\n', 1)[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  const values = new Map<string, FileValue>();
  if (document.contents === null) return values;
  if (!isMap(document.contents)) throw new ConfigError(`${at(document.contents)}: a config file is a mapping of options to values ("port: 8443")`);
  for (const pair of document.contents.items) {
    const keyNode = pair.key as Node | null;
    const where = at(keyNode);
    const flag = isScalar(keyNode) ? String(keyNode.value) : undefined;
    const option = flag === undefined ? undefined : options.get(flag);
    if (flag === undefined || option === undefined) {
      throw new ConfigError(`${where}: unknown option "${flag ?? String(keyNode)}"${flag === undefined ? '' : didYouMean(flag, options.keys())}`);
    }
    values.set(flag, { text: valueText(pair.value as Node | null, option.multiple, `${where}: ${flag}`), where });
  }
  return values;
}

function valueText(node: Node | null, multiple: boolean, what: string): string {
  if (isScalar(node) && node.value !== null && typeof node.value !== 'object') return String(node.value);
  if (multiple && isSeq(node) && node.items.length > 0 && node.items.every((item) => isScalar(item) && item.value !== null)) {
    return node.items.map((item) => String((item as { value: unknown }).value)).join(',');
  }
  throw new ConfigError(`${what} needs ${multiple ? 'a value or a list of values' : 'one value'}`);
}
