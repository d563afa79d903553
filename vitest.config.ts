import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Loopback servers bind ephemeral ports, so files can run in parallel;
    // two workers match the 2-core machines the suite is sized for.
    maxWorkers: 2,
  },
});
