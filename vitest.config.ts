import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Two cores are shared with Prosody: keep the fan-out small.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/model/**/*.test.ts', 'test/hostile/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // One local Prosody for the whole run, and ejabberd as the second server (MucSub, interop),
          // each started by the repo's own script.
          globalSetup: ['./test/support/prosody.global-setup.ts', './test/support/ejabberd.global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Tests restart and kill the shared server: run the files one after another.
          fileParallelism: false,
        },
      },
    ],
  },
});
