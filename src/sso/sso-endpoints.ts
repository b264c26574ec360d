import { lookup, type EndpointTrust } from './lookup-service.js';
import { readEnvelope } from './soap-envelope.js';
import { issue } from './sts-issue.js';
import { renew } from './sts-renew.js';
import { requestType, validate, type Sts, type StsRequest } from './sts-service.js';

/**
 * The SOAP answers of the STS and the lookup service, from the request envelope. The sso dialect
 * loads this module with the first SOAP request, so a plain start loads no XML parser or signer.
 */
export function answerSts(xml: string, sts: Sts): Promise<string> | string {
  const request: StsRequest = { xml, ...readEnvelope(xml) };
  const operations = { Issue: issue, Renew: renew, Validate: validate };
  return operations[requestType(request.operation)](request, sts);
}

export function answerLookup(xml: string, baseUrl: string, trust: EndpointTrust): string {
  return lookup(readEnvelope(xml).operation, baseUrl, trust);
}
