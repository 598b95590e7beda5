import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev -w @resnet-lab/web` serves the app with hot reload and forwards the API paths to
// the API on :3000 (or RESNET_LAB_API), so the app still talks only to the public /v1 API.
const api = process.env.RESNET_LAB_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'build',
    emptyOutDir: true,
    // One small app: a single chunk loads faster than a waterfall of lazy ones.
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: { '/v1': api, '/healthz': api, '/readyz': api, '/openapi.json': api },
  },
});
