# camwire in a container (docs/scaling.md explains each choice).
#   docker build -t camwire .
#   docker run --network host camwire                       # the built-in demo camera on :8080
#   docker run --network host -v $PWD/camwire.json:/etc/camwire/camwire.json:ro camwire \
#     node dist/lib/app/cli.js --http 0.0.0.0:8080 --config /etc/camwire/camwire.json
# Host networking: browsers send WebRTC media (UDP) to the ICE candidates camwire gathers, which
# are the addresses of the network it sees; behind Docker's bridge they would be unreachable.

# --- build: TypeScript to dist/ ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the package's `prepare` (tsc) would run before the sources are copied
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# --- runtime: the compiled library, the demo clip, production dependencies only ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# node-datachannel's prebuilt libdatachannel comes in its platform package (an optional
# dependency), so no install script is needed; --ignore-scripts skips `prepare`, whose tsc
# is a dev dependency
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/lib dist/lib
COPY --from=build /app/dist/native-bindings dist/native-bindings
COPY assets assets
USER node
EXPOSE 8080
# SIGTERM drains (new viewers refused, current ones kept up to drainTimeoutMs): give
# `docker stop -t` more than drainTimeoutMs (30 s by default)
STOPSIGNAL SIGTERM
# no curl in the slim image: Node's own fetch
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/lib/app/cli.js", "--http", "0.0.0.0:8080"]
