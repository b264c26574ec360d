import { describe, expect, it } from 'vitest';
import { MAX_XML_NESTING, parseXml, XmlRefused } from './parse-xml.js';

const nested = (depth: number) => `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`;

describe('parseXml nesting bound', () => {
  it(`accepts elements nested ${MAX_XML_NESTING} deep`, () => {
    expect(parseXml(nested(MAX_XML_NESTING)).documentElement?.localName).toBe('a');
  });

  it(`refuses elements nested ${MAX_XML_NESTING + 1} deep, and text one level below the bound`, () => {
    expect(() => parseXml(nested(MAX_XML_NESTING + 1))).toThrow(XmlRefused);
    expect(() => parseXml(`${'<a>'.repeat(MAX_XML_NESTING)}text${'</a>'.repeat(MAX_XML_NESTING)}`)).toThrow(XmlRefused);
  });

  it('counts depth, not size: many siblings are fine', () => {
    expect(parseXml(`<r>${'<a><b/></a>'.repeat(5000)}</r>`).documentElement?.childNodes.length).toBe(5000);
  });
});
