# syntax=docker/dockerfile:1
# Every image of the system, from the repository root (the build context is the whole monorepo):
#   docker build --build-arg SERVICE=command-api -t payments/command-api .   (command-api, authorizer,
#     projector or query-api: runs <SERVICE>/src/server.ts; every service image also carries
#     scripts/migrate.ts, which the one-shot `migrate` service of docker-compose.yml runs)
#   docker build --target dashboard -t payments/dashboard .   (the console, static files served by nginx)
# Node 24 runs the TypeScript sources directly (type stripping): there is no compile step.

# Manifests first, so the dependency layers are rebuilt only when a manifest or the lockfile changes. npm ci
# needs every workspace's package.json to match the lockfile, including those an image does not run; the
# root's postinstall applies patches/.
FROM node:24-slim AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches/ patches/
COPY schemas/package.json schemas/
COPY runtime/package.json runtime/
COPY command-api/package.json command-api/
COPY query-api/package.json query-api/
COPY authorizer/package.json authorizer/
COPY projector/package.json projector/
COPY dashboard/package.json dashboard/
COPY bench/package.json bench/

# The console: development dependencies included (Vite, its plugins and Tailwind are build tools). The API
# URLs are the ones the browser uses, so they are fixed at build time.
FROM manifests AS dashboard-build
RUN npm ci --workspaces --no-audit --no-fund
COPY schemas/ schemas/
COPY dashboard/ dashboard/
ARG VITE_COMMAND_API_URL=http://localhost:8080
ARG VITE_QUERY_API_URL=http://localhost:8081
ENV VITE_COMMAND_API_URL=$VITE_COMMAND_API_URL VITE_QUERY_API_URL=$VITE_QUERY_API_URL
RUN npm --workspace dashboard run build

FROM nginx:alpine AS dashboard
COPY --from=dashboard-build /app/dashboard/dist /usr/share/nginx/html
# A single-page app: unknown paths get index.html; hashed assets are cached for good.
COPY <<'NGINX' /etc/nginx/conf.d/default.conf
server {
  listen 5173;
  listen [::]:5173;
  root /usr/share/nginx/html;
  location / {
    try_files $uri /index.html;
  }
  location /assets/ {
    add_header Cache-Control "public, max-age=31536000, immutable";
  }
}
NGINX
EXPOSE 5173

FROM manifests AS service-build
RUN npm ci --workspaces --omit=dev --no-audit --no-fund
ARG SERVICE
RUN test -n "$SERVICE" || (echo "build with --build-arg SERVICE=<command-api|authorizer|projector|query-api>" >&2; exit 1)
COPY schemas/ schemas/
COPY runtime/ runtime/
COPY ${SERVICE}/ ${SERVICE}/
COPY scripts/migrate.ts scripts/

# The default target: one service.
FROM node:24-slim
ARG SERVICE
ENV NODE_ENV=production SERVICE=${SERVICE}
WORKDIR /app
# Code and dependencies stay owned by root (read-only to the service); only DATA_DIR (.data) is writable.
COPY --from=service-build /app ./
RUN mkdir -p .data && chown node:node .data
USER node
CMD ["/bin/sh", "-c", "exec node \"$SERVICE/src/server.ts\""]
