import { UsageError } from './usage-error.js';

const BOOLEAN_WORD = /^(true|false|yes|no|on|off|1|0)$/i;

/**
 * Takes the serve switches (`--http`, `--saml-bearer`) out of `argv`: `--X` turns one on, `--no-X`
 * off. `--X=false` and the older spelling `--saml-bearer false` (a boolean word after the switch)
 * still work. node:util's parseArgs has no negation on Node 20, hence this step before it.
 */
export function extractSwitches(argv: readonly string[], switches: ReadonlySet<string>): { rest: string[]; values: Record<string, string> } {
  const rest: string[] = [];
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const match = /^--(no-)?([a-z][a-z-]*)(?:=(.*))?$/.exec(token);
    if (!match || !switches.has(match[2]!)) {
      rest.push(token);
      continue;
    }
    const [, negated, flag, inline] = match;
    if (negated && inline !== undefined) throw new UsageError(`--no-${flag} takes no value`);
    const next = argv[i + 1];
    if (inline !== undefined) values[flag!] = inline;
    else if (!negated && next !== undefined && BOOLEAN_WORD.test(next)) values[flag!] = argv[++i]!;
    else values[flag!] = negated ? 'false' : 'true';
  }
  return { rest, values };
}
