# wechat-gpt in a container: `docker build -t wechat-gpt .`, then run it with your .env (see docker-compose.yml).
# Two stages: the build (TypeScript, the generated editor schema) and a slim runtime without dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /opt/wechat-gpt
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY schema ./schema
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# ffmpeg converts WeChat's AMR/Speex voice for transcription.
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /opt/wechat-gpt
COPY package.json ./
COPY bin ./bin
COPY schema ./schema
COPY console ./console
COPY --from=build /opt/wechat-gpt/node_modules ./node_modules
COPY --from=build /opt/wechat-gpt/dist ./dist
# The working folder holds .env / wechat-gpt.config.json (mount them) and .wechat-gpt/ (state: keep it in a volume).
RUN mkdir -p /srv/wechat-gpt/.wechat-gpt && chown -R node:node /srv/wechat-gpt
USER node
WORKDIR /srv/wechat-gpt
VOLUME ["/srv/wechat-gpt/.wechat-gpt"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM (docker stop) answers held attempts at once and drains answers in flight for up to 10 s.
STOPSIGNAL SIGTERM
CMD ["node", "/opt/wechat-gpt/bin/wechat-gpt.js", "serve", "--no-tunnel", "--host", "0.0.0.0"]
