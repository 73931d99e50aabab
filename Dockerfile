# apigw-reconciler container image.
#
# By default it runs the controller (`reconcile run`) over the seed manifests baked into the image, in
# observe mode, with its status page, /healthz, /readyz and /metrics on port 9464:
#   docker run --rm --read-only -p 9464:9464 -e AWS_REGION -e AWS_ACCESS_KEY_ID … apigw-reconciler
# Real use passes its own arguments, which replace CMD entirely (the ENTRYPOINT stays):
#   … apigw-reconciler run --git-url https://github.com/example/platform-apis.git --git-path apis \
#       --git-cache-dir /var/lib/apigw-reconciler/git --state-file s3://bucket/key --owner prod
#   … -v "$PWD/manifests:/manifests:ro" apigw-reconciler plan -m /manifests      (one pass, then exit)

# ------------------------------------------------------------------ build: compile src/ to dist/
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc tsconfig.json tsconfig.build.json ./
COPY src ./src
# npm ci runs the prepare script, which compiles src/ to dist/. The devDependencies (TypeScript) stay in
# this stage; only dist/ crosses over.
RUN npm ci --no-audit --no-fund

# ------------------------------------------------------------------ runtime
FROM node:20-bookworm-slim

# `run --git-url` shells out to git: git itself, openssh-client for ssh:// and git@host: remotes, and
# ca-certificates because the slim image has no CA bundle, so git could not verify an https:// remote.
# tini is PID 1: it forwards SIGTERM to node (which then finishes its pass within --shutdown-grace) and
# reaps the processes git leaves behind (remote helpers, ssh) when a fetch is cut short; node as PID 1
# would let them pile up as zombies. First in the file: it changes least, so it stays cached.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git openssh-client ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*

# HOME: git reads ~/.gitconfig and ssh reads and writes ~/.ssh/known_hosts; the node user's home,
# /home/node, is on the root filesystem, which is read-only in production (Kubernetes
# readOnlyRootFilesystem, docker run --read-only). Pointing HOME at the state volume keeps the one
# writable place the only place anything writes, and a known_hosts (or a .gitconfig) can be mounted
# there. GIT_TERMINAL_PROMPT=0: a private repository without credentials fails at once instead of
# waiting for a username on a terminal nobody reads. GIT_CONFIG_NOSYSTEM: the image's /etc/gitconfig
# (none today) never changes what the controller fetches.
ENV NODE_ENV=production \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
    HOME=/var/lib/apigw-reconciler \
    GIT_TERMINAL_PROMPT=0 \
    GIT_CONFIG_NOSYSTEM=1

WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Runtime dependencies only; --ignore-scripts: prepare (tsc) is the build stage's job. Installed as root,
# so the user the controller runs as cannot modify its own code.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY manifests ./manifests

# The only directory the controller writes: the Git cache (--git-cache-dir), a local state file
# (--state-file) and HOME. Created and handed to the runtime user *before* VOLUME, because changes made
# to a volume path after its VOLUME instruction are discarded; a fresh anonymous volume starts with this
# ownership, and on Kubernetes an emptyDir with fsGroup 1000 gives the same. Group 0 with group write:
# platforms that run images under an arbitrary UID in group 0 (OpenShift) can still write it.
RUN mkdir -p /var/lib/apigw-reconciler \
 && chown 1000:0 /var/lib/apigw-reconciler \
 && chmod 0770 /var/lib/apigw-reconciler
VOLUME ["/var/lib/apigw-reconciler"]
# The working directory is the volume too, so the CLI's relative defaults (--state-file
# .apigw-reconciler/state.json, --git-cache-dir .apigw-reconciler/git) land there: a one-shot
# `docker run … IMAGE apply -m /manifests` keeps its state without naming a path. Code and seed manifests
# are addressed by absolute paths (/app/…).
WORKDIR /var/lib/apigw-reconciler

# 1000 is the base image's `node` user. Numeric on purpose: Kubernetes' runAsNonRoot can only verify a
# numeric USER ("image has non-numeric user (node), cannot verify user is non-root" otherwise).
USER 1000:1000

# --listen: the status page, /healthz, /readyz, /metrics (Prometheus) and POST /hooks/git.
EXPOSE 9464

# No curl in node images: node's own fetch. /healthz answers while the process is alive and serving;
# any error, timeout or non-2xx exits 1. Only meaningful for `run` (a one-shot plan/apply exits long
# before the first check); Kubernetes ignores HEALTHCHECK and uses the probes of the Deployment instead.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/reconcile.js"]
# The default: the controller over the seed manifests, in observe mode, so that starting the image with
# credentials never changes an AWS account by itself; real deployments pass their own arguments (with
# --git-url, and without --mode observe). Everything it writes is under the VOLUME.
CMD ["run", "--listen", "0.0.0.0:9464", "--git-cache-dir", "/var/lib/apigw-reconciler/git", "--state-file", "/var/lib/apigw-reconciler/state.json", "--mode", "observe", "-m", "/app/manifests"]
