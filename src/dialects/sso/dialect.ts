import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { certificateDer } from '../../core/pem.js';
import { sendFault, sendSoap, SoapFault } from '../../sso/soap.js';
import type { Sts } from '../../sso/sts-service.js';
import { errorRow, toVapiError } from '../../core/errors.js';
import type { Dialect } from '../dialect.js';
import { withRequestContext } from '../../observability/request-context.js';

/** Loaded with the first SOAP request: the XML parser and signer cost start-up time that most servers never use. */
const endpoints = () => import('../../sso/sso-endpoints.js');

export const STS_PATH = '/sts/STSService/vsphere.local';
export const LOOKUP_PATH = '/lookupservice/sdk';

export interface SsoDeps {
  sts: Sts;
  /** The server's TLS certificate, base64 DER, published as the endpoints' sslTrust. */
  tlsCertificateDer: string | undefined;
  /** Where clients reach this server (`https://host:port`); without it, the request's `Host` header decides. */
  publicUrl?: string;
}

function answer(request: FastifyRequest, reply: FastifyReply, handle: (xml: string) => Promise<string> | string): Promise<FastifyReply> {
  return withRequestContext(request, () => answerInContext(request, reply, handle));
}

async function answerInContext(request: FastifyRequest, reply: FastifyReply, handle: (xml: string) => Promise<string> | string): Promise<FastifyReply> {
  try {
    return sendSoap(reply, await handle(typeof request.body === 'string' ? request.body : ''));
  } catch (error) {
    if (error instanceof SoapFault) {
      request.log.info({ fault: error.code, reason: error.reason ?? error.text, url: request.url, client: request.ip }, 'request refused');
      return sendFault(reply, error);
    }
    if (toVapiError(error).errorType === 'SERVICE_UNAVAILABLE') {
      // The store is down or the password checks are saturated: a passing condition, answered 503.
      request.log.warn({ err: error, url: request.url, client: request.ip }, 'request failed');
      return sendFault(reply, new SoapFault('S:Server', 'The service is unavailable; try again later.', 503));
    }
    request.log.error({ err: error, url: request.url, client: request.ip }, 'request failed');
    return sendFault(reply, new SoapFault('S:Server', 'Internal server error.'));
  }
}

function register(app: FastifyInstance, deps: SsoDeps): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(['text/xml', 'application/soap+xml', 'application/xml'], { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.post(STS_PATH, (request, reply) =>
      answer(request, reply, async (xml) => (await endpoints()).answerSts(xml, deps.sts)),
    );
    scope.post(LOOKUP_PATH, (request, reply) =>
      answer(request, reply, async (xml) => {
        const sts = (await deps.sts.signingKey.cluster.trusted('sts', deps.sts.clock.now())).map((key) => certificateDer(key.material)!);
        const baseUrl = deps.publicUrl ?? `${request.protocol}://${request.headers.host ?? 'localhost'}`;
        return (await endpoints()).answerLookup(xml, baseUrl, { tls: deps.tlsCertificateDer, sts });
      }),
    );
  });
}

/**
 * Single sign-on over SOAP: the STS (WS-Trust `Issue`, `Renew` and `Validate` of SAML tokens) and the lookup service
 * that tells clients where the STS and the vAPI endpoint are.
 */
export function ssoDialect(deps: SsoDeps): Dialect {
  return {
    name: 'sso',
    owns: (_method, path) => path.startsWith('/sts/') || path.startsWith('/lookupservice/'),
    register: (app) => register(app, deps),
    // Failures before the route (an undecodable path, a body of the wrong type or size): the status
    // of the error table, so a client mistake is never a 5xx. The shared 415 text names JSON, the
    // body of every other dialect.
    sendError: (reply, error, status = errorRow(error.errorType).api) => {
      const text = status === 415 ? 'Request body must be text/xml (or application/soap+xml).' : (error.messages[0]?.default_message ?? 'Bad request.');
      return sendFault(reply, new SoapFault(status < 500 ? 'S:Client' : 'S:Server', text, status));
    },
    sendNotFound: (reply) => sendFault(reply, new SoapFault('S:Client', 'Not found.', 404)),
  };
}
