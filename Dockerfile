# The cutover worker (and the CLI, which shares the image). Multi-stage: build with dev dependencies,
# ship compiled JavaScript, the prebuilt workflow bundle and production dependencies only.
FROM node:20.19-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY test ./test
RUN npx tsc -p tsconfig.json && node dist/src/worker/build-bundle.js

FROM node:20.19-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/workflow-bundle.js ./dist/workflow-bundle.js
COPY bin ./bin
COPY plans ./plans
# Debian's Chromium, as the tests use, for dashboard screenshots and PDF reports; the screenshots go to
# CUTOVER_ARTIFACTS_DIR (mount a volume there to keep them with the cutover's records).
RUN apt-get update && apt-get install -y --no-install-recommends chromium && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /var/lib/cutover/artifacts && chown node:node /var/lib/cutover/artifacts
ENV CUTOVER_ARTIFACTS_DIR=/var/lib/cutover/artifacts
USER node
# Healthy while Temporal sees this container's worker polling the cutover queue (not merely a live process).
HEALTHCHECK --interval=30s --timeout=15s --start-period=60s --retries=3 CMD ["node", "dist/src/worker/healthcheck.js"]
CMD ["node", "dist/src/worker/main.js"]
