import { defineWorkspace } from "vitest/config"

export default defineWorkspace([
  { test: { name: "core", root: "packages/core", include: ["test/**/*.test.ts"] } },
  { test: { name: "test-kit", root: "packages/test-kit", include: ["test/**/*.test.ts"] } },
  {
    test: {
      name: "node",
      root: "packages/node",
      include: ["test/**/*.test.ts"],
      globalSetup: ["test/setup/servers.ts"]
    }
  },
  { test: { name: "browser", root: "packages/browser", include: ["test/**/*.test.ts"] } },
  { test: { name: "examples", root: ".", include: ["examples/**/*.test.ts"] } },
  { test: { name: "repo", root: ".", include: ["test/**/*.test.ts"] } }
])
