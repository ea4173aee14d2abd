# syntax=docker/dockerfile:1
# The headless service (docs/deploy.md): built in one stage, run from a second one that holds
# only the built app and its run-time dependencies, as the non-root user `node`.
#   docker build -t task-scheduler .
#   docker run -d -p 127.0.0.1:8787:8787 -v ts-data:/data -e TASK_SCHEDULER_TOKEN=… task-scheduler
# The steps are those of the tested production install (docs/headless.md, "Production install").
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 (the sqlite db engine) compiles from source when no prebuilt binary fits.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# The Electron binary is for the desktop app only; the service never loads it.
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The service needs out/server (the service) and out/renderer (the web UI); `npm run build`
# would add the desktop app's out/main and out/preload, which the service never loads.
RUN npm run build:server && npm run build:renderer
RUN npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/scripts ./scripts
COPY --from=build /app/out ./out
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
# Listen on every interface of the container; publish the port on the host's loopback, or give
# TASK_SCHEDULER_ALLOWED_HOSTS the names clients use (a reverse proxy: docs/deploy.md).
ENV TASK_SCHEDULER_HOST=0.0.0.0 \
  TASK_SCHEDULER_PORT=8787 \
  TASK_SCHEDULER_DATA_DIR=/data
USER node
VOLUME ["/data"]
EXPOSE 8787
# /api/health needs no token and accepts any Host; the slim image has no curl, node has fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.TASK_SCHEDULER_PORT || 8787) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM stops the service cleanly: running tasks get settings.shutdownGraceMs (10 s) and
# open requests 2 s more; give `docker stop` more than that (--time 30, stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "out/server/index.js"]
CMD ["serve"]
