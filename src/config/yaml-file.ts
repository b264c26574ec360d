import { createRequire } from 'node:module';
import type { Document, Node, Scalar, YAMLMap, YAMLSeq } from 'yaml';

/**
 * The yaml package, loaded with the first file read: most starts read none, and it is 72 modules.
 * (A synchronous require, so that the option parsing around it stays synchronous.)
 */
export const yaml = (): typeof import('yaml') => createRequire(import.meta.url)('yaml') as typeof import('yaml');

export const isMap = (node: unknown): node is YAMLMap => yaml().isMap(node);
export const isSeq = (node: unknown): node is YAMLSeq => yaml().isSeq(node);
export const isScalar = (node: unknown): node is Scalar => yaml().isScalar(node);

export type Fail = (node: Node | null | undefined, message: string) => never;

/**
 * A YAML (or JSON) configuration file, parsed for checking: `fail` throws `makeError` with
 * `file:line:col: message` for a node; a syntax error is thrown that way at once. Duplicate keys
 * are left to the caller, whose error can name the second one's line.
 */
export function parseYamlFile(text: string, file: string, makeError: (message: string) => Error): { document: Document; fail: Fail } {
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const fail: Fail = (node, message) => {
    const position = node?.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 };
    throw makeError(`${file}:${position.line}:${position.col}: ${message}`);
  };
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    const position = first.linePos?.[0] ?? { line: 1, col: 1 };
    throw makeError(`${file}:${position.line}:${position.col}: ${first.message.split('\n')[0]}`);
  }
  return { document, fail };
}
