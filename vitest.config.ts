import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts", "test/golden/**/*.test.ts"], sequence: { groupOrder: 0 } } },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts", "test/emulator/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Each e2e file starts its own emulator; two cores here, so two at a time.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
