import type { Element } from '@xmldom/xmldom';
import { escapeXml } from '../saml/escape-xml.js';
import { SoapFault } from './soap.js';
import { childText } from './soap-envelope.js';

const LOOKUP = 'urn:lookup';

/** A service this server registers in its lookup service. */
export interface Registration {
  serviceId: string;
  product: string;
  type: string;
  endpoint: { url: string; protocol: string; type: string };
}

/** The two registrations clients look for: the STS (WS-Trust) and the vAPI endpoint. */
export function registrations(baseUrl: string): Registration[] {
  return [
    {
      serviceId: 'vapi-auth-sts',
      product: 'com.vmware.cis',
      type: 'cs.identity',
      endpoint: { url: `${baseUrl}/sts/STSService/vsphere.local`, protocol: 'wsTrust', type: 'com.vmware.cis.cs.identity.sso' },
    },
    {
      serviceId: 'vapi-auth-vapi',
      product: 'com.vmware.cis',
      type: 'cs.vapi',
      endpoint: { url: `${baseUrl}/api`, protocol: 'vapi.json.https.public', type: 'com.vmware.vapi.endpoint' },
    },
  ];
}

/**
 * Certificates an endpoint's clients trust (base64 DER): the server's TLS certificate first (clients
 * pin the first), and for the STS every certificate its tokens may be signed with in the cluster.
 */
export interface EndpointTrust {
  tls: string | undefined;
  sts: readonly string[];
}

function registrationXml(registration: Registration, trust: EndpointTrust): string {
  const { endpoint } = registration;
  const certificates = [...(trust.tls ? [trust.tls] : []), ...(registration.type === 'cs.identity' ? trust.sts : [])];
  return [
    '<returnval>',
    '<serviceVersion>1.0</serviceVersion>',
    '<serviceEndpoints>',
    `<url>${escapeXml(endpoint.url)}</url>`,
    `<endpointType><protocol>${endpoint.protocol}</protocol><type>${endpoint.type}</type></endpointType>`,
    ...certificates.map((der) => `<sslTrust>${der}</sslTrust>`),
    '</serviceEndpoints>',
    '<ownerId>vapi-auth</ownerId>',
    `<serviceType><product>${registration.product}</product><type>${registration.type}</type></serviceType>`,
    '<nodeId>vapi-auth</nodeId>',
    `<serviceId>${registration.serviceId}</serviceId>`,
    '<siteId>default-site</siteId>',
    '</returnval>',
  ].join('');
}

/** Whether a registration matches a List filter: every field the filter sets must be equal. */
function matches(registration: Registration, filter: Element | undefined): boolean {
  if (!filter) return true;
  const serviceType = filter.getElementsByTagNameNS(LOOKUP, 'serviceType')[0] as Element | undefined;
  const endpointType = filter.getElementsByTagNameNS(LOOKUP, 'endpointType')[0] as Element | undefined;
  const wanted: [string | undefined, string][] = [
    [childText(filter, LOOKUP, 'serviceId'), registration.serviceId],
    [childText(serviceType, LOOKUP, 'product'), registration.product],
    [childText(serviceType, LOOKUP, 'type'), registration.type],
    [childText(endpointType, LOOKUP, 'protocol'), registration.endpoint.protocol],
    [childText(endpointType, LOOKUP, 'type'), registration.endpoint.type],
  ];
  return wanted.every(([value, actual]) => value === undefined || value === '' || value === actual);
}

/**
 * The lookup service's answers that clients use to find the STS and the vAPI endpoint:
 * RetrieveServiceContent, and the registration List (with filters) and Get.
 */
export function lookup(operation: Element, baseUrl: string, trust: EndpointTrust): string {
  const all = registrations(baseUrl);
  switch (operation.localName) {
    case 'RetrieveServiceContent':
      return [
        `<RetrieveServiceContentResponse xmlns="${LOOKUP}"><returnval>`,
        '<lookupService type="LookupLookupService">lookupService</lookupService>',
        '<serviceRegistration type="LookupServiceRegistration">ServiceRegistration</serviceRegistration>',
        '<deploymentInformationService type="LookupDeploymentInformationService">deploymentInformationService</deploymentInformationService>',
        '<l10n type="LookupL10n">l10n</l10n>',
        '</returnval></RetrieveServiceContentResponse>',
      ].join('');
    case 'List': {
      const filter = operation.getElementsByTagNameNS(LOOKUP, 'filterCriteria')[0] as Element | undefined;
      return `<ListResponse xmlns="${LOOKUP}">${all.filter((r) => matches(r, filter)).map((r) => registrationXml(r, trust)).join('')}</ListResponse>`;
    }
    case 'Get': {
      const id = childText(operation, LOOKUP, 'serviceId');
      const found = all.find((r) => r.serviceId === id);
      if (!found) throw new SoapFault('S:Client', `No registration ${id ?? ''}.`);
      return `<GetResponse xmlns="${LOOKUP}">${registrationXml(found, trust)}</GetResponse>`;
    }
    default:
      throw new SoapFault('S:Client', `Operation ${operation.localName} is not supported.`);
  }
}
