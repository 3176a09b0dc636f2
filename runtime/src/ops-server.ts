// The operations endpoint of a process without an HTTP API (authorizer, projector): /metrics for
// Prometheus, /health/live and an honest /health/ready, on its own port.
import { createServer, type Server } from 'node:http';
import type { Registry } from './metrics.ts';

export async function startOpsServer(options: {
  host: string;
  port: number;
  registry: Registry;
  ready: () => Promise<void>;
}): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { 'content-type': type }).end(body);
    };
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') return send(405, 'application/json', '{"error":"method_not_allowed","message":"GET only"}');
    if (path === '/health/live') return send(200, 'application/json', '{"status":"ok"}');
    if (path === '/health/ready') {
      options.ready().then(
        () => send(200, 'application/json', '{"status":"ready"}'),
        (error: Error) => send(503, 'application/json', JSON.stringify({ status: 'not_ready', message: error.message })),
      );
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => send(200, options.registry.contentType, text),
        () => send(500, 'application/json', '{"error":"internal_error","message":"metrics failed"}'),
      );
      return;
    }
    send(404, 'application/json', '{"error":"not_found","message":"no such route"}');
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
