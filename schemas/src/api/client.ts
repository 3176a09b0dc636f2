// The one typed client of both APIs (@payments/schemas/api): openapi-fetch over the types `npm run openapi`
// generates from docs/openapi/*.json, so a path, parameter, body or response that the routes no longer
// declare fails to typecheck wherever it is called. Browser-safe like the rest of schemas: plain fetch.
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths as CommandApiPaths } from './command-api.ts';
import type { paths as QueryApiPaths } from './query-api.ts';

export type { CommandApiPaths, QueryApiPaths };
export type CommandApiClient = Client<CommandApiPaths>;
export type QueryApiClient = Client<QueryApiPaths>;

export interface ApiClientsOptions {
  commandApiUrl: string;
  queryApiUrl: string;
  /** The bearer token of each request, read when it is sent; `null` (or no `token`) sends none. */
  token?: () => string | null;
  /** The fetch to send with; by default the global one, looked up on every request (so tests can stub it). */
  fetch?: (request: Request) => Promise<Response>;
}

/**
 * Adds `Authorization: Bearer <token>` to a request that has none: a call that sets its own Authorization
 * header (another client's token) keeps it.
 */
export function bearerToken(token: () => string | null): Middleware {
  return {
    onRequest({ request }) {
      const value = token();
      if (value && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${value}`);
      return request;
    },
  };
}

type ClientOptions = Pick<ApiClientsOptions, 'token' | 'fetch'>;

function typedClient<Paths extends {}>(baseUrl: string, options: ClientOptions): Client<Paths> {
  const client = createClient<Paths>({ baseUrl, fetch: options.fetch ?? ((request: Request) => globalThis.fetch(request)) });
  if (options.token) client.use(bearerToken(options.token));
  return client;
}

/** The typed client of the command API alone (e.g. to sign in, or for a script that only writes). */
export const createCommandApiClient = (commandApiUrl: string, options: ClientOptions = {}): CommandApiClient =>
  typedClient<CommandApiPaths>(commandApiUrl, options);

/** The typed client of the query API alone. */
export const createQueryApiClient = (queryApiUrl: string, options: ClientOptions = {}): QueryApiClient =>
  typedClient<QueryApiPaths>(queryApiUrl, options);

/** Typed clients of the command API and the query API, sharing one token. */
export function createApiClients(options: ApiClientsOptions): { command: CommandApiClient; query: QueryApiClient } {
  return { command: createCommandApiClient(options.commandApiUrl, options), query: createQueryApiClient(options.queryApiUrl, options) };
}
