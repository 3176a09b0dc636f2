// The one HTTP client of the dashboard: JSON in and out, the session's bearer token attached, and every
// failure turned into an ApiError carrying the API's `{error, message}` (or a network/parse equivalent).
// Features call it through their own api/ functions; the app wires the token and the 401 handler once.
// `api` is the typed client of both APIs (@payments/schemas/api, generated from the OpenAPI documents) and
// `unwrap` gives its calls the same ApiError semantics as `apiRequest`, which the features not yet moved to
// the typed client still use.
import type { ErrorResponse } from '@payments/schemas';
import { createApiClients } from '@payments/schemas/api';
import { config } from '../config/env.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export const isApiError = (error: unknown): error is ApiError => error instanceof ApiError;

/** A message fit for a person, whatever was thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return 'Something went wrong';
}

interface ApiClientHooks {
  getToken: () => string | null;
  /** Called when an authenticated request gets 401: the token expired or was revoked. */
  onUnauthorized: () => void;
}

let hooks: ApiClientHooks = { getToken: () => null, onUnauthorized: () => {} };

export function configureApiClient(next: ApiClientHooks): void {
  hooks = next;
}

export interface ApiRequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** A token to use instead of the session's; `null` sends none (sign-in). */
  token?: string | null;
}

export function buildUrl(baseUrl: string, path: string, query?: ApiRequestOptions['query']): string {
  const url = new URL(path, `${baseUrl}/`);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
  }
  return url.toString();
}

const isErrorResponse = (body: unknown): body is ErrorResponse =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as ErrorResponse).error === 'string' &&
  typeof (body as ErrorResponse).message === 'string';

export async function apiRequest<T>(baseUrl: string, path: string, options: ApiRequestOptions = {}): Promise<T> {
  const token = options.token === undefined ? hooks.getToken() : options.token;
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;

  let response: Response;
  try {
    response = await fetch(buildUrl(baseUrl, path, options.query), {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: options.signal ?? null,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', `Cannot reach ${new URL(baseUrl).host}: check that the service is running`);
  }

  const text = await response.text();
  let body: unknown = null;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      if (response.ok) throw new ApiError(response.status, 'invalid_response', 'The server sent a response that is not JSON');
    }
  }

  if (!response.ok) {
    // Only a request made with the session's own token signs the session out; a failed sign-in or a
    // demo merchant's token does not.
    if (response.status === 401 && token && options.token === undefined) hooks.onUnauthorized();
    if (isErrorResponse(body)) throw new ApiError(response.status, body.error, body.message);
    throw new ApiError(response.status, `http_${response.status}`, response.statusText || `HTTP ${response.status}`);
  }
  return body as T;
}

/**
 * The typed clients of both APIs, with the session's token. A server that cannot be reached becomes a
 * network_error, and a 2xx body that is not JSON an invalid_response, here where the request and the status
 * are known, as `apiRequest` reports them.
 */
export const api = createApiClients({
  commandApiUrl: config.commandApiUrl,
  queryApiUrl: config.queryApiUrl,
  token: () => hooks.getToken(),
  fetch: async (request) => {
    let response: Response;
    try {
      response = await fetch(request);
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new ApiError(0, 'network_error', `Cannot reach ${new URL(request.url).host}: check that the service is running`);
    }
    if (!response.ok) return response;
    const text = await response.text();
    try {
      if (text !== '') JSON.parse(text);
    } catch {
      throw new ApiError(response.status, 'invalid_response', 'The server sent a response that is not JSON');
    }
    return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  },
});

/** The data of a typed call made with the session's token, or the ApiError `apiRequest` would throw. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    if (response.status === 401 && hooks.getToken()) hooks.onUnauthorized();
    if (isErrorResponse(error)) throw new ApiError(response.status, error.error, error.message);
    throw new ApiError(response.status, `http_${response.status}`, response.statusText || `HTTP ${response.status}`);
  }
  return data as T;
}
