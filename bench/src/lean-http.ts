// A lean HTTP/1.1 client for the open-loop sender: keep-alive connections that carry one request at a time,
// each request written with one write(), each response parsed only as far as the bench needs (status line,
// Content-Length, body). The load generator's CPU is taken from the system it measures: side by side at
// 1000/s this client cost ~95 µs of CPU per request, undici's Pool ~180-280 (docs/PERFORMANCE.md).
// Requests beyond `maxConnections` in flight wait in a queue, as they would in an agent's.
import { connect, type Socket } from 'node:net';

export type LeanResponse = { status: number; body: string };

type Request = { bytes: string; startedAt: number; resolve: (response: LeanResponse) => void; reject: (error: Error) => void };

const HEAD_END = '\r\n\r\n';
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const CHUNKED = /\r\ntransfer-encoding:[^\r]*chunked/i;
const CLOSE = /\r\nconnection:[ \t]*close/i;

class Connection {
  readonly socket: Socket;
  request: Request | null = null;
  private buffer: Buffer | null = null;
  private connected = false;
  private readonly onIdle: (connection: Connection) => void;
  private readonly onGone: (connection: Connection) => void;

  constructor(target: { host: string; port: number }, onIdle: (c: Connection) => void, onGone: (c: Connection) => void) {
    this.onIdle = onIdle;
    this.onGone = onGone;
    this.socket = connect(target.port, target.host);
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => {
      this.connected = true;
      if (this.request) this.socket.write(this.request.bytes);
    });
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('error', () => {}); // 'close' follows and settles the request
    this.socket.on('close', () => this.fail(new Error('socket hang up')));
  }

  send(request: Request): void {
    this.request = request;
    if (this.connected) this.socket.write(request.bytes);
  }

  fail(error: Error): void {
    const request = this.request;
    this.request = null;
    this.buffer = null;
    this.socket.destroy();
    this.onGone(this);
    request?.reject(error);
  }

  private read(chunk: Buffer): void {
    const buffer = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    const headEnd = buffer.indexOf(HEAD_END);
    if (headEnd < 0) {
      this.buffer = buffer;
      return;
    }
    const head = buffer.toString('latin1', 0, headEnd);
    const length = CONTENT_LENGTH.exec(head)?.[1];
    if (!head.startsWith('HTTP/1.1 ') || length === undefined || CHUNKED.test(head)) {
      this.fail(new Error(`response the bench cannot read: ${head.split('\r\n')[0]} (it needs HTTP/1.1 with Content-Length)`));
      return;
    }
    const bodyStart = headEnd + HEAD_END.length;
    const bodyEnd = bodyStart + Number(length);
    if (buffer.length < bodyEnd) {
      this.buffer = buffer;
      return;
    }
    if (buffer.length > bodyEnd || !this.request) {
      this.fail(new Error('unexpected bytes after a response'));
      return;
    }
    const request = this.request;
    this.request = null;
    this.buffer = null;
    const response = { status: Number(head.slice(9, 12)), body: buffer.toString('utf8', bodyStart, bodyEnd) };
    if (CLOSE.test(head)) {
      this.socket.end();
      this.onGone(this);
    } else this.onIdle(this);
    request.resolve(response);
  }
}

export class LeanHttpClient {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private queue: Request[] = [];
  private queueHead = 0;
  private readonly sweeper: NodeJS.Timeout;
  private readonly target: { host: string; port: number };
  private readonly maxConnections: number;
  private readonly timeoutMs: number;

  constructor(target: { host: string; port: number }, maxConnections: number, timeoutMs = 30_000) {
    this.target = target;
    this.maxConnections = maxConnections;
    this.timeoutMs = timeoutMs;
    // one timer for every request's timeout rather than one per request
    this.sweeper = setInterval(() => this.sweep(), Math.min(1000, timeoutMs));
    this.sweeper.unref();
  }

  /** POSTs `body` with `headers` (Host and Content-Length are added) and resolves with the whole response. */
  post(path: string, headers: Record<string, string>, body: string): Promise<LeanResponse> {
    let head = `POST ${path} HTTP/1.1\r\nhost: ${this.target.host}:${this.target.port}\r\n`;
    for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
    const bytes = `${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes, startedAt: performance.now(), resolve, reject });
      this.pump();
    });
  }

  /** Requests in flight or waiting for a connection. */
  get pending(): number {
    let inFlight = 0;
    for (const c of this.all) if (c.request) inFlight++;
    return inFlight + this.queue.length - this.queueHead;
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const c of [...this.all]) c.fail(new Error('client closed'));
    for (let i = this.queueHead; i < this.queue.length; i++) this.queue[i]?.reject(new Error('client closed'));
    this.queue = [];
    this.queueHead = 0;
  }

  private pump(): void {
    while (this.queueHead < this.queue.length) {
      let connection = this.idle.pop();
      if (!connection) {
        if (this.all.size >= this.maxConnections) return;
        connection = new Connection(
          this.target,
          (c) => {
            this.idle.push(c);
            this.pump();
          },
          (c) => {
            this.all.delete(c);
            const at = this.idle.indexOf(c);
            if (at >= 0) this.idle.splice(at, 1);
            this.pump();
          },
        );
        this.all.add(connection);
      }
      const request = this.queue[this.queueHead++] as Request;
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.queueHead);
        this.queueHead = 0;
      }
      connection.send(request);
    }
  }

  private sweep(): void {
    const expired = performance.now() - this.timeoutMs;
    for (const c of [...this.all]) if (c.request && c.request.startedAt < expired) c.fail(new Error('timed out'));
  }
}
