import { describe, expect, it } from 'vitest';
import { lookup } from './lookup-service.js';
import { readEnvelope } from './soap-envelope.js';

const list = readEnvelope(
  '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><List xmlns="urn:lookup"><_this type="LookupServiceRegistration">ServiceRegistration</_this></List></soap:Body></soap:Envelope>',
).operation;
const trustOf = (xml: string, type: string) =>
  [...xml.match(new RegExp(`<returnval>(?:(?!</returnval>).)*<type>${type}</type>(?:(?!</returnval>).)*</returnval>`))![0].matchAll(/<sslTrust>([^<]+)<\/sslTrust>/g)].map((m) => m[1]);

describe('the lookup service', () => {
  it('puts the TLS certificate first in sslTrust (clients pin the first), and every STS certificate after it for the STS only', () => {
    const xml = lookup(list, 'https://vc.example', { tls: 'TLS', sts: ['STS1', 'STS2'] });
    expect(trustOf(xml, 'cs.identity')).toEqual(['TLS', 'STS1', 'STS2']);
    expect(trustOf(xml, 'cs.vapi')).toEqual(['TLS']);
  });

  it('lists the STS certificates alone over plain HTTP', () => {
    const xml = lookup(list, 'http://vc.example', { tls: undefined, sts: ['STS1'] });
    expect(trustOf(xml, 'cs.identity')).toEqual(['STS1']);
    expect(trustOf(xml, 'cs.vapi')).toEqual([]);
  });
});
