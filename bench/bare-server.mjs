// The baseline: the same framework answering the same route with a fixed body and no authentication.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
const body = JSON.stringify({
  user: 'administrator@VSPHERE.LOCAL',
  created_time: '2025-01-01T00:00:00.000Z',
  last_accessed_time: '2025-01-01T00:00:00.000Z',
});
app.get('/api/session', (_request, reply) => reply.type('application/json').send(body));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`Server listening at ${url}\n`);
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
