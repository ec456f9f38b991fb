import { defineConfig } from 'vitest/config';

// Unit tests of the page's DOM-free modules (session, box model, save queue, curve data): plain
// Node, no browser; the browser tests live in tests/e2e.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
  },
});
