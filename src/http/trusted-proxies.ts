import { BlockList, isIP } from 'node:net';

/** The addresses of reverse proxies whose `X-Forwarded-For` names the client. */
export class TrustedProxies {
  readonly #list = new BlockList();
  readonly #empty: boolean;

  /** `cidrs`: `ADDR/PREFIX` or a bare address; throws on anything else. */
  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const parsed = parseCidr(cidr);
      if (!parsed) throw new Error(`not an address or CIDR range: ${cidr}`);
      this.#list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
    this.#empty = cidrs.length === 0;
  }

  /** Whether a peer at `address` is one of them (an IPv4-mapped IPv6 address counts as IPv4). */
  trusts(address: string | undefined): boolean {
    if (this.#empty || address === undefined) return false;
    const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const family = isIP(plain);
    return family !== 0 && this.#list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** `ADDR[/PREFIX]` as its parts; undefined when it is not one. */
export function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefixText, ...rest] = text.trim().split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}
