# One image recipe for every service. Build from the repository root, naming the app:
#   docker build --build-arg APP=gateway -t attest/gateway .
# (APP: enforcement, gateway, identity-sync, review-scheduler or usage-ingest)
ARG APP

FROM node:22-bookworm-slim AS build
ARG APP
RUN test -n "$APP" || (echo "build with --build-arg APP=<service>" && exit 1)
WORKDIR /repo
COPY package.json package-lock.json ./
COPY libs/contracts/package.json libs/contracts/
COPY libs/messaging/package.json libs/messaging/
COPY libs/persistence/package.json libs/persistence/
COPY libs/platform/package.json libs/platform/
COPY libs/testing/package.json libs/testing/
# npm install, not ci: the lock file cannot list optional bindings for platforms our registry does not serve.
RUN npm install --no-audit --no-fund
COPY tsconfig.base.json ./
COPY libs libs
COPY apps/${APP} apps/${APP}
RUN npx tsc -b apps/${APP}/tsconfig.app.json && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
ARG APP
ENV NODE_ENV=production
WORKDIR /srv
COPY --from=build /repo/package.json ./
COPY --from=build /repo/node_modules node_modules
COPY --from=build /repo/libs libs
COPY --from=build /repo/apps/${APP}/dist apps/${APP}/dist
# A fixed entry point, so the command needs no shell: SIGTERM reaches node directly, and the service
# drains and closes its connections before exiting. Node resolves modules from the link's target.
RUN ln -s apps/${APP}/dist/main.js main.js
USER node
EXPOSE 8080
CMD ["node", "main.js"]
