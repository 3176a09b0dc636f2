// WebSocket /api/stream: authenticated at the upgrade (Authorization header or `token` query parameter),
// resumable with `since=<position>`. A principal past its connection cap is refused at the upgrade (429).
import { type App, authenticate, errorResponses, HttpError, requireRole } from '@payments/runtime/http';
import { Type } from 'typebox';
import type { StreamHub } from './stream-hub.ts';

export async function streamRoutes(app: App, options: { hub: StreamHub }) {
  app.get(
    '/api/stream',
    {
      websocket: true,
      schema: {
        querystring: Type.Object(
          { since: Type.Optional(Type.Integer({ minimum: 0 })), token: Type.Optional(Type.String({ maxLength: 8192 })) },
          { additionalProperties: false },
        ),
        description:
          'A WebSocket (GET with Upgrade: websocket): `hello`, then every change to the payments the token may see. The token may come as `token=` instead of Authorization.',
        response: {
          101: { description: 'Switching Protocols: the stream is open', type: 'null' },
          ...errorResponses(400, 401, 403, 429),
        },
      },
      preValidation: async (request) => {
        const token = (request.query as { token?: string }).token;
        if (!request.principal && !request.authError && token) {
          try {
            request.principal = await authenticate(app.tokenVerifier, token);
          } catch (error) {
            request.authError = error as Error;
          }
        }
      },
      preHandler: [
        requireRole('merchant', 'analyst', 'viewer'),
        async (request) => {
          const principal = request.principal as NonNullable<typeof request.principal>;
          if (!options.hub.hasRoomFor(principal)) {
            throw new HttpError(429, 'too_many_connections', 'too many stream connections for this principal: close one first');
          }
        },
      ],
    },
    (socket, request) => {
      const since = (request.query as { since?: number }).since ?? null;
      void options.hub.add(socket, request.principal as NonNullable<typeof request.principal>, since);
    },
  );
}
