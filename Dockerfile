# A Rivulet worker image: `rivulet worker` serving the tasks of a module you provide.
#
#   docker build -t rivulet-worker .
#   docker run --rm -v "$PWD/dist-tasks:/tasks:ro" rivulet-worker \
#     --servers nats://nats:4222 --tasks /tasks/tasks.js --concurrency 4
#
# The task module must be JavaScript (compile it first) and import `task` from 'rivulet': the
# image links itself as the `rivulet` package so the module registers into the worker's registry.
# `docker stop` sends SIGTERM: the worker stops taking tasks, finishes in-flight ones, exits 0.
#
# Metrics and probes: add `--metrics-port 9464 --metrics-host 0.0.0.0` (and `-p 9464:9464`) for
# /metrics (Prometheus text), /healthz (liveness) and /readyz (readiness: 503 while the worker is
# not connected to NATS or drains). Without --metrics-host it listens on 127.0.0.1 only.
#
# Logging in to a protected NATS server: flags, or the NATS CLI's environment variables (a flag
# wins over its variable; credentials given as flags replace all those from the environment).
#   --servers URL[,URL]  NATS_URL       nats://user:pass@host:4222 and nats://token@host:4222 log in too
#   --token TOKEN        NATS_TOKEN
#   --user U --password P  NATS_USER, NATS_PASSWORD
#   --creds FILE         NATS_CREDS     JWT + nkey seed (nsc)
#   --nkey FILE          NATS_NKEY      file holding an nkey seed (SU...)
#   --tls-ca FILE        NATS_CA        CA of a server certificate from a private CA
#   --tls-cert FILE      NATS_CERT      client certificate, for servers that verify clients
#   --tls-key FILE       NATS_KEY       its key
# The cluster secret that authenticates every protocol message (clients need the same; see
# docs/security.md):
#   --secret-file FILE   RIVULET_SECRET  at least 16 bytes; the file's trailing line break is dropped
# Give secrets at run time, never in the image, e.g.
#   docker run --rm -e NATS_URL=nats://nats:4222 -e NATS_TOKEN="$NATS_TOKEN" \
#     -v "$PWD/dist-tasks:/tasks:ro" rivulet-worker --tasks /tasks/tasks.js
#   docker run --rm -e NATS_CREDS=/run/secrets/rivulet.creds -e NATS_CA=/run/secrets/ca.pem \
#     -v "$PWD/secrets:/run/secrets:ro" -v "$PWD/dist-tasks:/tasks:ro" rivulet-worker --tasks /tasks/tasks.js
# The same image runs the dashboard, with the same flags and variables:
#   docker run --rm -p 8787:8787 -e NATS_URL=nats://nats:4222 --entrypoint node rivulet-worker \
#     /app/dist/cli/main.js dashboard --host 0.0.0.0

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --ignore-scripts
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production NODE_PATH=/app/node_modules
# The server to join unless --servers says otherwise (credentials: see the top of this file).
ENV NATS_URL=nats://nats:4222
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force && ln -s /app /app/node_modules/rivulet
COPY --from=build /app/dist ./dist
USER node
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/cli/main.js", "worker"]
CMD ["--tasks", "/tasks/tasks.js", "--concurrency", "4"]
