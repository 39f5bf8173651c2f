# syntax=docker/dockerfile:1
#
# One image recipe for all four Newsflow services. Pick the service with the APP build arg:
#
#   docker build --build-arg APP=ingestion -t newsflow-ingestion .
#
# APP is one of: ingestion | enrichment | storage | notification (the Nx project name).
# docker-compose.yml builds each service this way.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------------
# build: install every dependency and compile the selected app with Nx (tsc + tsc-alias).
# ---------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
ARG APP
RUN test -n "$APP" || { echo 'Set the build arg APP (ingestion | enrichment | storage | notification)' >&2; exit 1; }

WORKDIR /repo
# No Nx daemon, Nx Cloud or local cache inside a one-shot image build.
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true \
    CI=true

# Manifests first so the dependency layer is reused until the lock file changes.
# --ignore-scripts: package.json's allowScripts denies every install script (npm 11 enforces it;
# the npm 10 that ships with Node 20 does not know allowScripts, so this does the same job).
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts

COPY . .
# Output: dist/apps/$APP/ with the entry point at dist/apps/$APP/apps/$APP/src/main.js (tsc rootDir is
# the repo root; tsc-alias rewrites the @newsflow/* imports to relative paths into dist/apps/$APP/libs).
RUN npx nx run "${APP}:build" --skip-nx-cache \
 && test -f "dist/apps/${APP}/apps/${APP}/src/main.js"

# ---------------------------------------------------------------------------------------------------
# runtime: production dependencies + the compiled app, run as the unprivileged `node` user.
# ---------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG APP
# APP is kept as an env var so CMD and HEALTHCHECK can use it at run time. The services listen on
# loopback unless HOST says otherwise; in a container they must accept connections from outside.
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    HOST=0.0.0.0 \
    APP=${APP}

WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts

# The code stays owned by root: the `node` user can read it but not change it.
COPY --from=build /repo/dist/apps/${APP} ./dist/apps/${APP}

# Ingestion's inbox (INBOX_DIR). An empty named volume mounted here inherits this owner, so the
# non-root process can read and move files in it.
RUN mkdir -p /data/inbox && chown node:node /data/inbox

USER node

# PORT comes from the environment (compose sets it); without it each service listens on its default.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const defaults={ingestion:3000,enrichment:3001,storage:3002,notification:3003};const port=process.env.PORT||defaults[process.env.APP];fetch('http://127.0.0.1:'+port+'/health',{signal:AbortSignal.timeout(4000)}).then((res)=>process.exit(res.ok?0:1),()=>process.exit(1));"]

# Shell form so $APP is expanded at run time; `exec` replaces the shell, so node gets SIGTERM directly
# on `docker stop` (compose also sets `init: true`, which puts tini in front as PID 1).
CMD exec node "dist/apps/${APP}/apps/${APP}/src/main.js"
