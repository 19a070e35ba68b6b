# Production image: the API only. PostgreSQL and S3 (MinIO with Object Lock) are external
# (see docker-compose.yml); nothing embedded starts when DATABASE_URL and S3_ENDPOINT are set.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000 ARCHIVE_DATA_DIR=/var/lib/archive
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir -p /var/lib/archive && chown node:node /var/lib/archive
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --retries=4 CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# exec form: node is PID 1 and receives SIGTERM directly; it drains requests and exits 0
CMD ["node", "dist/apps/archive-api/src/main.js"]
