/// <reference types="vitest/config" />
import { defineConfig } from 'vite'

// Tauri serves ui/dist under a strict CSP (script-src 'self'; style-src 'self'),
// so the build must emit only external files: no inline preload polyfill and
// no assets inlined as data: URLs.
export default defineConfig({
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    host: '127.0.0.1',
  },
  css: {
    // GOV.UK Frontend still carries an IE-only `min-width: 0\0` media hack
    // that LightningCSS rejects; recovery drops that one rule.
    lightningcss: { errorRecovery: true },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
  },
})
