import { defineConfig } from 'vite';

// The server serves web/dist at "/"; the dev server proxies the API to a running `boxloop serve`.
export default defineConfig({
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
