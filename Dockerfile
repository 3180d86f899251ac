# A Rivulet worker image: `rivulet worker` serving the tasks of a module you provide.
#
#   docker build -t rivulet-worker .
#   docker run --rm -v "$PWD/dist-tasks:/tasks:ro" rivulet-worker \
#     --servers nats://nats:4222 --tasks /tasks/tasks.js --concurrency 4
#
# The task module must be JavaScript (compile it first) and import `task` from 'rivulet': the
# image links itself as the `rivulet` package so the module registers into the worker's registry.
# `docker stop` sends SIGTERM: the worker stops taking tasks, finishes in-flight ones, exits 0.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --ignore-scripts
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production NODE_PATH=/app/node_modules
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force && ln -s /app /app/node_modules/rivulet
COPY --from=build /app/dist ./dist
USER node
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/cli/main.js", "worker"]
CMD ["--servers", "nats://nats:4222", "--tasks", "/tasks/tasks.js", "--concurrency", "4"]
