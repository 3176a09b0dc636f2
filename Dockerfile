# syntax=docker/dockerfile:1
# One image recipe for the four services: docker build --build-arg SERVICE=command-api -t payments/command-api .
# SERVICE is command-api, authorizer, projector or query-api; the image runs <SERVICE>/src/server.ts. Every
# image also carries scripts/migrate.ts, which the one-shot `migrate` service of docker-compose.yml runs.
# Node 24 runs the TypeScript sources directly (type stripping): there is no compile step.

FROM node:24-slim AS build
WORKDIR /app
# Manifests first, so the dependency layer is rebuilt only when a manifest or the lockfile changes. npm ci needs
# every workspace's package.json to match the lockfile, including those this image does not run.
COPY package.json package-lock.json ./
# applied by patch-package after npm ci (the root's postinstall)
COPY patches/ patches/
COPY schemas/package.json schemas/
COPY runtime/package.json runtime/
COPY command-api/package.json command-api/
COPY query-api/package.json query-api/
COPY authorizer/package.json authorizer/
COPY projector/package.json projector/
COPY dashboard/package.json dashboard/
COPY bench/package.json bench/
RUN npm ci --workspaces --omit=dev --no-audit --no-fund
ARG SERVICE
RUN test -n "$SERVICE" || (echo "build with --build-arg SERVICE=<command-api|authorizer|projector|query-api>" >&2; exit 1)
COPY schemas/ schemas/
COPY runtime/ runtime/
COPY ${SERVICE}/ ${SERVICE}/
COPY scripts/migrate.ts scripts/

FROM node:24-slim
ARG SERVICE
ENV NODE_ENV=production SERVICE=${SERVICE}
WORKDIR /app
# Code and dependencies stay owned by root (read-only to the service); only DATA_DIR (.data) is writable.
COPY --from=build /app ./
RUN mkdir -p .data && chown node:node .data
USER node
CMD ["/bin/sh", "-c", "exec node \"$SERVICE/src/server.ts\""]
