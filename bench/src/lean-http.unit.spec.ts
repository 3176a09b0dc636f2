// The open-loop sender's HTTP client against real local servers: keep-alive reuse, responses cut anywhere,
// the connection cap, and every way a response can fail it.
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LeanHttpClient } from './lean-http.ts';

const servers: (Server | TcpServer)[] = [];
const clients: LeanHttpClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen<T extends Server | TcpServer>(server: T): Promise<{ server: T; client: (max: number) => LeanHttpClient }> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    client: (max) => {
      const client = new LeanHttpClient({ host: '127.0.0.1', port }, max);
      clients.push(client);
      return client;
    },
  };
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => resolve(body));
  });

/** A raw TCP server that answers every request on a connection with `answer`. */
const rawServer = (answer: (socket: Socket) => void) =>
  createTcpServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => answer(socket));
  });

describe('the lean HTTP client', () => {
  it('sends the headers and body, reads status and body, and keeps one connection alive for sequential requests', async () => {
    const sockets = new Set<unknown>();
    const { client } = await listen(
      createHttpServer(async (req, res) => {
        sockets.add(req.socket);
        const body = await readBody(req);
        const echo = JSON.stringify({
          method: req.method,
          url: req.url,
          key: req.headers['idempotency-key'],
          length: req.headers['content-length'],
          body,
        });
        // as fastify answers: with a Content-Length
        res.writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(echo) }).end(echo);
      }),
    );
    const http = client(4);
    for (let i = 0; i < 5; i++) {
      const response = await http.post('/api/payments', { 'idempotency-key': `k-${i}` }, `{"n":"ü${i}"}`);
      expect(response.status).toBe(202);
      expect(JSON.parse(response.body)).toEqual({
        method: 'POST',
        url: '/api/payments',
        key: `k-${i}`,
        length: '11',
        body: `{"n":"ü${i}"}`,
      });
    }
    expect(sockets.size).toBe(1);
  });

  it('reads a response that arrives in pieces, cut inside the head and inside the body', async () => {
    const { client } = await listen(
      rawServer((socket) => {
        const parts = ['HTTP/1.1 409 Conflict\r\nContent-Le', 'ngth: 13\r\n\r\n{"err', 'or":409}'];
        parts.forEach((part, i) => {
          setTimeout(() => socket.write(part), i * 20);
        });
      }),
    );
    expect(await client(1).post('/x', {}, '{}')).toEqual({ status: 409, body: '{"error":409}' });
  });

  it('opens no more connections than allowed: the other requests wait their turn, and all are answered', async () => {
    let open = 0;
    let most = 0;
    const { client } = await listen(
      createHttpServer(async (req, res) => {
        open++;
        most = Math.max(most, open);
        await readBody(req);
        setTimeout(() => {
          open--;
          const key = String(req.headers['idempotency-key']);
          res.writeHead(200, { 'content-length': Buffer.byteLength(key) }).end(key);
        }, 15);
      }),
    );
    const http = client(3);
    const bodies = await Promise.all(Array.from({ length: 10 }, (_, i) => http.post('/', { 'idempotency-key': String(i) }, '')));
    expect(bodies.map((r) => r.body)).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
    expect(most).toBe(3);
    expect(http.pending).toBe(0);
  });

  it('fails a request whose connection closes before the response, and serves the next on a new connection', async () => {
    let connections = 0;
    const { client } = await listen(
      rawServer((socket) => {
        connections++;
        if (connections === 1) socket.destroy();
        else socket.write('HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\nok');
      }),
    );
    const http = client(1);
    await expect(http.post('/', {}, 'a')).rejects.toThrow(/hang up/);
    expect(await http.post('/', {}, 'b')).toEqual({ status: 202, body: 'ok' });
    expect(connections).toBe(2);
  });

  it('refuses a response it cannot frame (chunked) rather than guessing', async () => {
    const { client } = await listen(
      rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n')),
    );
    await expect(client(1).post('/', {}, '')).rejects.toThrow(/cannot read/);
  });

  it('closes a connection the server asks to close, after reading its response', async () => {
    let connections = 0;
    const { client } = await listen(
      rawServer((socket) => {
        connections++;
        socket.end('HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 3\r\n\r\nbye');
      }),
    );
    const http = client(1);
    expect(await http.post('/', {}, '')).toEqual({ status: 200, body: 'bye' });
    expect(await http.post('/', {}, '')).toEqual({ status: 200, body: 'bye' });
    expect(connections).toBe(2);
  });
});
