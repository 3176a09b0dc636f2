// The HTTP ceiling's server: a bare fastify route on a free 127.0.0.1 port, in a worker thread of the bench
// (its own event loop, so it does not share one with the load generator). POST /echo parses the JSON body and
// answers 202 with a small JSON body, as POST /api/payments does, and nothing else: no auth, no validation,
// no database. The parent learns the port from the first message and ends the worker when done.
import { parentPort } from 'node:worker_threads';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/echo', async (request, reply) => {
  const body = request.body as { merchantId?: string; amount?: string } | undefined;
  return reply.status(202).send({ status: 'PENDING', merchantId: body?.merchantId ?? null, amount: body?.amount ?? null });
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
parentPort?.postMessage({ port: typeof address === 'object' && address ? address.port : 0 });
parentPort?.on('message', (message: unknown) => {
  if (message === 'close') void app.close().then(() => process.exit(0));
});
