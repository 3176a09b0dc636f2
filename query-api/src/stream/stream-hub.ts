// The WebSocket fan-out. Each client has a cursor (the last position it was sent). A resuming client is
// first caught up from its `since` (memory or table), then joins the live broadcast; both paths only ever
// send positions above the cursor, so nothing is missed or repeated. Sends are never awaited: a client that
// stops reading fills its own buffer and is closed past a bound, without slowing the others.
//
// Analysts and viewers count in global feed positions. A merchant counts in its own positions
// (merchant_position, see feed-tail.ts): its hello, updates, stats and `since` never move with another
// merchant's traffic. The catch-up is bounded (a `since` further back than the window, or past the head, is
// refused with a close code), a principal holds a bounded number of sockets, and a socket closes when the
// token it was opened with expires.

import type { Principal } from '@payments/runtime/auth';
import type { Logger } from '@payments/runtime/logger';
import type { Stats } from '@payments/schemas';
import type { WebSocket } from 'ws';
import type { FeedEntry, FeedTail } from './feed-tail.ts';

export const CLOSE_TOKEN_EXPIRED = 4401;
export const CLOSE_TOO_SLOW = 4408;
export const CLOSE_SINCE_TOO_OLD = 4410;
export const CLOSE_SINCE_AHEAD = 4416;
export const CLOSE_TOO_MANY_CONNECTIONS = 4429;

type Client = {
  socket: WebSocket;
  sub: string;
  merchantId: string | null;
  /** The last position sent, in the client's numbering: global, or the merchant's own. */
  cursor: number;
  /** The last global position this client has been given or passed over (a merchant's others' changes). */
  seen: number;
  catchingUp: boolean;
  alive: boolean;
  statsSentFor: string;
  expiry: NodeJS.Timeout | null;
};

export type StreamHubOptions = {
  tail: FeedTail;
  logger: Logger;
  maxBufferBytes: number;
  /** How far back a `since` may lie, in the client's numbering: the tail's window. */
  maxCatchUp: number;
  maxConnectionsPerPrincipal: number;
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

  /** Whether this principal may open one more socket (the route answers 429 at the upgrade otherwise). */
  hasRoomFor(principal: Principal): boolean {
    let open = 0;
    for (const client of this.clients) if (client.sub === principal.sub) open++;
    return open < this.options.maxConnectionsPerPrincipal;
  }

  async add(socket: WebSocket, principal: Principal, since: number | null): Promise<void> {
    const { tail } = this.options;
    const client: Client = {
      socket,
      sub: principal.sub,
      merchantId: principal.role === 'merchant' ? (principal.merchantId ?? '') : null,
      cursor: 0,
      seen: 0,
      catchingUp: true,
      alive: true,
      statsSentFor: '',
      expiry: null,
    };
    // checked again here, counted at once: upgrades racing past the route's check cannot all get in
    if (!this.hasRoomFor(principal)) {
      socket.close(
        CLOSE_TOO_MANY_CONNECTIONS,
        `too many connections for this principal (at most ${this.options.maxConnectionsPerPrincipal})`,
      );
      return;
    }
    this.clients.add(client);
    const drop = () => {
      this.clients.delete(client);
      if (client.expiry) clearTimeout(client.expiry);
    };
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('close', drop);
    socket.on('error', drop);
    if (principal.expiresAt !== undefined) {
      // the socket lives no longer than its token: the client reconnects with a fresh one (and a since)
      client.expiry = setTimeout(
        () => this.refuse(client, CLOSE_TOKEN_EXPIRED, 'token expired: reconnect with a fresh token and since'),
        Math.min(Math.max(principal.expiresAt - Date.now(), 0), 2 ** 31 - 1),
      );
      client.expiry.unref();
    }
    try {
      // a merchant's own head is read from the table; a global since past the tail's head may still be in
      // the table (a stats position read a moment ago), so only the table refuses it
      const head = client.merchantId === null ? tail.head : await tail.merchantHead(client.merchantId);
      if (since !== null && since > head && (client.merchantId !== null || since > (await tail.storedHead()))) {
        this.refuse(client, CLOSE_SINCE_AHEAD, 'since is beyond the head of the stream: resume from a position it sent');
        return;
      }
      if (since !== null && head - since > this.options.maxCatchUp) {
        this.refuse(
          client,
          CLOSE_SINCE_TOO_OLD,
          `since too old: the stream keeps ${this.options.maxCatchUp} changes; read GET /api/payments or /api/events`,
        );
        return;
      }
      if (!this.clients.has(client)) return;
      client.cursor = since ?? head;
      // a merchant's catch-up goes by its own positions; it passes over no global position before it starts
      if (client.merchantId === null) client.seen = client.cursor;
      this.send(client, { type: 'hello', position: client.cursor });
      // catch up until the client has seen the tail's head; the check and the switch to live happen in one
      // tick, so an entry arriving later goes through broadcast, which also starts from the cursor
      for (;;) {
        const upTo = tail.head;
        if (client.seen >= upTo) break;
        const entries = await tail.since(client.cursor, upTo, client.merchantId);
        if (!this.clients.has(client)) return;
        if (entries.length === 0) {
          client.seen = upTo;
          break;
        }
        for (const entry of entries) this.deliver(client, entry);
      }
      client.catchingUp = false;
      void this.sendStatsTo(client);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'stream catch-up failed');
      this.refuse(client, 1011, 'catch-up failed');
    }
  }

  private refuse(client: Client, code: number, reason: string): void {
    this.clients.delete(client);
    if (client.expiry) clearTimeout(client.expiry);
    client.socket.close(code, reason);
  }

  private broadcast(entries: FeedEntry[]): void {
    for (const client of this.clients) {
      if (client.catchingUp) continue;
      for (const entry of entries) this.deliver(client, entry);
    }
  }

  private deliver(client: Client, entry: FeedEntry): void {
    if (entry.position <= client.seen) return;
    client.seen = entry.position;
    if (client.merchantId === null) {
      client.cursor = entry.position;
      this.send(client, { type: 'payment.updated', position: entry.position, payment: entry.payment });
    } else if (entry.merchantId === client.merchantId && entry.merchantPosition > client.cursor) {
      client.cursor = entry.merchantPosition;
      this.send(client, { type: 'payment.updated', position: entry.merchantPosition, payment: entry.payment });
    }
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
    for (const client of this.clients) {
      if (client.expiry) clearTimeout(client.expiry);
      client.socket.close(1001, 'server shutting down');
    }
    this.clients.clear();
  }
}
