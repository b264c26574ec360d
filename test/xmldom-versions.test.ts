import { createRequire } from 'node:module';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseXml } from '../src/saml/parse-xml.js';
import { assertionXml, derOf, sign, testIssuer, type Issuer } from './helpers/saml.js';
import { envelope, requestSecurityToken, signedEnvelope } from './helpers/ws-security.js';

/**
 * xml-crypto verifies signatures over its own @xmldom/xmldom (0.8 today: it cannot take 0.9, whose
 * parseFromString demands a MIME type it does not pass), while this server reads the documents with
 * 0.9. Two parsers that disagree about a signed document are a signature-wrapping hole: what was
 * verified would not be what is read. This test fails as soon as they disagree on a document this
 * server accepts.
 */
const require = createRequire(import.meta.url);
const theirs = createRequire(require.resolve('xml-crypto'))('@xmldom/xmldom') as typeof import('@xmldom/xmldom');

interface DumpNode {
  nodeType: number;
  namespaceURI?: string | null;
  localName?: string | null;
  nodeName?: string;
  nodeValue?: string | null;
  attributes?: { length: number; item(index: number): DumpNode | null } | null;
  childNodes?: { length: number; item(index: number): DumpNode | null } | null;
}

/** A parse tree as plain data, the same for both versions' node objects. */
function dump(node: DumpNode): unknown {
  const attributes = [];
  for (let i = 0; i < (node.attributes?.length ?? 0); i++) {
    const a = node.attributes!.item(i)!;
    attributes.push([a.namespaceURI ?? null, a.localName ?? a.nodeName, a.nodeValue]);
  }
  const children = [];
  for (let i = 0; i < (node.childNodes?.length ?? 0); i++) children.push(dump(node.childNodes!.item(i)!));
  return [node.nodeType, node.namespaceURI ?? null, node.localName ?? node.nodeName, node.nodeType === 1 ? null : node.nodeValue, attributes.sort(), children];
}

/** What xml-crypto's parser makes of `xml`, or undefined when it refuses it. */
function theirParse(xml: string): unknown {
  const fail = (message: string) => {
    throw new Error(message);
  };
  let document: unknown;
  try {
    document = new theirs.DOMParser({ errorHandler: { warning: () => undefined, error: fail, fatalError: fail } } as never).parseFromString(xml, 'text/xml');
  } catch {
    return undefined;
  }
  return dump(document as DumpNode);
}

/** What this server's parser makes of `xml`, or undefined when it refuses it. */
function ourParse(xml: string): unknown {
  let document: unknown;
  try {
    document = parseXml(xml);
  } catch {
    return undefined;
  }
  return dump(document as DumpNode);
}

let issuer: Issuer;
let corpus: string[];

beforeAll(async () => {
  issuer = await testIssuer('sts');
  const now = Date.now();
  const bearer = sign(assertionXml({ notBefore: now, notOnOrAfter: now + 600_000 }), issuer, true);
  const holderOfKey = sign(assertionXml({ notBefore: now, notOnOrAfter: now + 600_000, method: 'holder-of-key', holderCertificate: derOf(issuer.cert) }), issuer);
  const issue = signedEnvelope(requestSecurityToken({ keyType: 'PublicKey', expires: now + 600_000 }), issuer, { user: 'administrator', password: 'x', now });
  const validate = envelope(`<RequestSecurityToken xmlns="http://docs.oasis-open.org/ws-sx/ws-trust/200512"><ValidateTarget>${bearer}</ValidateTarget></RequestSecurityToken>`);
  corpus = [bearer, holderOfKey, issue, validate];
});

/** What parsers most often read differently: markup, references, quotes, CDATA and comments, line ends, namespaces. */
const DAMAGE = ['<', '>', '&', '"', "'", '/', ':', '=', ' ', '\r\n', '\r', '\t', '\u0085', '\u2028', '\u0000', '\u00e9', '&amp;', '&#x3c;', '&#13;', '<!--', '-->', '<![CDATA[', ']]>', '<?x?>', 'xmlns:ds="urn:x" ', 'xmlns="urn:y" '];

describe('signature wrapping: xml-crypto\'s @xmldom/xmldom and ours read signed XML alike', () => {
  it('names the versions involved (one, or two that this test holds to agreement)', () => {
    const version = (from: string) => (createRequire(from)('@xmldom/xmldom/package.json') as { version: string }).version;
    expect(version(import.meta.url)).toMatch(/^0\.9\./);
    expect(version(require.resolve('xml-crypto'))).toMatch(/^0\.[89]\./);
  });

  it('parses every signed assertion and envelope to the same tree', () => {
    for (const xml of corpus) {
      expect(ourParse(xml)).toBeDefined();
      expect(theirParse(xml)).toEqual(ourParse(xml));
    }
  });

  it('parses every damaged signed document this server accepts to the same tree', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }).chain((which) =>
          fc.tuple(fc.constant(corpus[which]!), fc.nat(corpus[which]!.length - 1), fc.constantFrom(...DAMAGE), fc.boolean()),
        ),
        ([xml, at, damage, replace]) => {
          const damaged = xml.slice(0, at) + damage + xml.slice(replace ? at + 1 : at);
          const mine = ourParse(damaged);
          if (mine !== undefined) expect(theirParse(damaged)).toEqual(mine);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
