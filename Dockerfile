# Fleetdeck: the same `npm start` as on a workstation, as a non-root user.
FROM node:22-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 FLEETDECK_DATA_DIR=/data
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json uno.config.ts ./
COPY src ./src
COPY migrations ./migrations
COPY scripts ./scripts
COPY public ./public
RUN npm run assets && mkdir -p /data && chown -R node:node /data /app/public
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["npm", "start"]
