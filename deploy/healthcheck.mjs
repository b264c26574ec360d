// The container's health check: GET /healthz on this container's own listener, HTTP or HTTPS as
// configured. The certificate is not checked: this asks whether the process serves, over loopback.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const plain = /^(1|true|yes)$/i.test(process.env.VAPI_AUTH_HTTP ?? '');
const request = plain ? httpRequest : httpsRequest;
const req = request(
  { host: '127.0.0.1', port: Number(process.env.VAPI_AUTH_PORT ?? 8443), path: '/healthz', timeout: 4000, rejectUnauthorized: false },
  (res) => process.exit(res.statusCode === 200 ? 0 : 1),
);
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', () => process.exit(1));
req.end();
