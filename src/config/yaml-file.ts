import { LineCounter, parseDocument, type Document, type Node } from 'yaml';

export type Fail = (node: Node | null | undefined, message: string) => never;

/**
 * A YAML (or JSON) configuration file, parsed for checking: `fail` throws `makeError` with
 * `file:line:col: message` for a node; a syntax error is thrown that way at once. Duplicate keys
 * are left to the caller, whose error can name the second one's line.
 */
export function parseYamlFile(text: string, file: string, makeError: (message: string) => Error): { document: Document; fail: Fail } {
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
