# The project image: the `autoscale` command (`node dist/autoscale/index.js <command>`: the built-in
# worker and gateway workloads, and `autoscaler run` by default), and the queue autoscaler task's own
# small bundle (`node dist/autoscaler/index.js autoscaler run`, the entry point its task definition
# sets: components/queue-autoscaler.ts), which loads only the autoscaler.
# Built by `pulumi up` (components/queue-autoscaler.ts) when autoscaler.image is not set, or by hand:
#   docker build --platform linux/amd64 -t <repository>:<tag> .

# Build stage: install the locked dependencies and bundle cli/autoscale.ts and
# runtime/autoscaler/main.ts with esbuild (scripts/build.ts).
FROM node:22-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY cli ./cli
# The tool rooms the command wires (proof/, load/, emulator/) and the usage errors they share (input/).
COPY input ./input
COPY proof ./proof
COPY load ./load
COPY emulator ./emulator
COPY runtime ./runtime
COPY aws ./aws
COPY scaling ./scaling
# The AWS facts (limits, defaults, metric names, resource ids) every room imports.
# The esbuild options scripts/build.ts shares with the Lambda bundles.
COPY bundle ./bundle
# The operator tools in the same command (scale-test) read stack files through config/.
COPY config ./config
# `autoscale diff` is one of the command's commands (it needs git and a checkout to do anything).
COPY diff ./diff
# `autoscale up` (the local stack) is a command of the same bundle.
COPY local ./local
RUN npm run build

# Runtime stage: only the bundles (the AWS SDK and every other dependency are inside them).
FROM node:22-slim
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps
WORKDIR /app
COPY --from=build /src/dist/autoscale ./dist/autoscale
COPY --from=build /src/dist/autoscaler ./dist/autoscaler
USER node
# No HEALTHCHECK here: the ECS task definition has one (GET /healthz on HEALTH_PORT).
ENTRYPOINT ["node", "dist/autoscale/index.js"]
CMD ["autoscaler", "run"]
