// The WebSocket fan-out. Each client has a cursor (the last position it was sent). A resuming client is
// first caught up from its `since` (memory or table), then joins the live broadcast; both paths only ever
// send positions above the cursor, so nothing is missed or repeated. Sends are never awaited: a client that
// stops reading fills its own buffer and is closed past a bound, without slowing the others.

import type { Logger, Principal } from '@payments/runtime';
import type { Stats } from '@payments/schemas';
import type { WebSocket } from 'ws';
import type { FeedEntry, FeedTail } from './feed-tail.ts';

export const CLOSE_TOO_SLOW = 4408;

type Client = {
  socket: WebSocket;
  merchantId: string | null;
  cursor: number;
  catchingUp: boolean;
  alive: boolean;
  statsSentFor: string;
};

export type StreamHubOptions = {
  tail: FeedTail;
  logger: Logger;
  maxBufferBytes: number;
  statsIntervalMs: number;
  pingIntervalMs: number;
  loadStats: (merchantId: string | null) => Promise<Stats>;
};

export class StreamHub {
  private readonly clients = new Set<Client>();
  private readonly options: StreamHubOptions;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(options: StreamHubOptions) {
    this.options = options;
    options.tail.on('entries', (entries) => this.broadcast(entries));
    this.timers.push(setInterval(() => void this.sendStats(), options.statsIntervalMs));
    this.timers.push(setInterval(() => this.ping(), options.pingIntervalMs));
  }

  get size(): number {
    return this.clients.size;
  }

  async add(socket: WebSocket, principal: Principal, since: number | null): Promise<void> {
    const head = this.options.tail.head;
    const client: Client = {
      socket,
      merchantId: principal.role === 'merchant' ? (principal.merchantId ?? '') : null,
      cursor: since ?? head,
      catchingUp: true,
      alive: true,
      statsSentFor: '',
    };
    this.clients.add(client);
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('close', () => this.clients.delete(client));
    socket.on('error', () => this.clients.delete(client));
    this.send(client, { type: 'hello', position: client.cursor });
    try {
      // catch up until the cursor reaches the tail's head; the check and the switch to live happen in one
      // tick, so an entry arriving later goes through broadcast, which also starts from the cursor
      for (;;) {
        const upTo = this.options.tail.head;
        if (client.cursor >= upTo) break;
        const entries = await this.options.tail.since(client.cursor, upTo, client.merchantId);
        if (!this.clients.has(client)) return;
        if (entries.length === 0) {
          client.cursor = upTo;
          break;
        }
        for (const entry of entries) this.deliver(client, entry);
      }
      client.catchingUp = false;
      void this.sendStatsTo(client);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'stream catch-up failed');
      socket.close(1011, 'catch-up failed');
    }
  }

  private broadcast(entries: FeedEntry[]): void {
    for (const client of this.clients) {
      if (client.catchingUp) continue;
      for (const entry of entries) this.deliver(client, entry);
    }
  }

  private deliver(client: Client, entry: FeedEntry): void {
    if (entry.position <= client.cursor) return;
    client.cursor = entry.position;
    if (client.merchantId !== null && entry.merchantId !== client.merchantId) return;
    this.send(client, { type: 'payment.updated', position: entry.position, payment: entry.payment });
  }

  private send(client: Client, message: unknown): void {
    const { socket } = client;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > this.options.maxBufferBytes) {
      this.clients.delete(client);
      this.options.logger.warn({ buffered: socket.bufferedAmount }, 'closing a stream client that does not keep up');
      socket.close(CLOSE_TOO_SLOW, 'too slow: send buffer limit exceeded; reconnect with since');
      // a peer that stopped reading may never complete the close handshake
      setTimeout(() => socket.terminate(), 2000).unref();
      return;
    }
    socket.send(JSON.stringify(message));
  }

  private async sendStats(): Promise<void> {
    const scopes = new Map<string | null, Stats>();
    for (const client of this.clients) {
      if (client.catchingUp) continue;
      try {
        if (!scopes.has(client.merchantId)) scopes.set(client.merchantId, await this.options.loadStats(client.merchantId));
        this.sendStatsMessage(client, scopes.get(client.merchantId) as Stats);
      } catch (error) {
        this.options.logger.warn({ err: error }, 'stats for stream failed');
        return;
      }
    }
  }

  private async sendStatsTo(client: Client): Promise<void> {
    try {
      this.sendStatsMessage(client, await this.options.loadStats(client.merchantId));
    } catch (error) {
      this.options.logger.warn({ err: error }, 'stats for stream failed');
    }
  }

  private sendStatsMessage(client: Client, stats: Stats): void {
    const fingerprint = JSON.stringify(stats);
    if (fingerprint === client.statsSentFor) return; // throttled: only when something changed
    client.statsSentFor = fingerprint;
    this.send(client, { type: 'stats', position: stats.position, stats });
  }

  private ping(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        this.clients.delete(client);
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    for (const client of this.clients) client.socket.close(1001, 'server shutting down');
    this.clients.clear();
  }
}
