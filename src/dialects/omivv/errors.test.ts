import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { OMIVV_ERRORS } from './errors.js';

describe('the OMIVV error codes', () => {
  it('are the ones docs/omivv-jwt.md lists, with the same statuses', async () => {
    const doc = await readFile(new URL('../../../docs/omivv-jwt.md', import.meta.url), 'utf8');
    const documented: Record<string, number> = {};
    for (const [, codes, statuses] of doc.matchAll(/^\| (`[A-Z_]+`(?:, `[A-Z_]+`)*) \| ([\d, ]+) \|/gm)) {
      const names = codes!.split(', ').map((code) => code.replaceAll('`', ''));
      const numbers = statuses!.split(', ').map(Number);
      names.forEach((name, i) => (documented[name] = numbers[i]!));
    }
    expect(documented).toEqual(Object.fromEntries(Object.entries(OMIVV_ERRORS).map(([code, [status]]) => [code, status])));
  });
});
