import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const packages = fileURLToPath(new URL("./packages/", import.meta.url))

/**
 * Inside the workspace, tests run from sources: `@effect-cognito/<pkg>` and
 * `@effect-cognito/<pkg>/<Module>` resolve to `packages/<pkg>/src`, as the `paths` of
 * tsconfig.base.json do for tsc and tsx. What is published resolves to `dist` only.
 */
const resolve = {
  alias: [
    { find: /^@effect-cognito\/([^/]+)$/, replacement: `${packages}$1/src/index.ts` },
    { find: /^@effect-cognito\/([^/]+)\/(.+)$/, replacement: `${packages}$1/src/$2.ts` }
  ]
}

export default defineConfig({
  test: {
    projects: [
      { resolve, test: { name: "core", root: "packages/core", include: ["test/**/*.test.ts"] } },
      { resolve, test: { name: "test-kit", root: "packages/test-kit", include: ["test/**/*.test.ts"] } },
      {
        resolve,
        test: {
          name: "node",
          root: "packages/node",
          include: ["test/**/*.test.ts"],
          globalSetup: ["test/setup/servers.ts"]
        }
      },
      { resolve, test: { name: "browser", root: "packages/browser", include: ["test/**/*.test.ts"] } },
      { resolve, test: { name: "examples", root: ".", include: ["examples/**/*.test.ts", "test/**/*.test.ts"] } }
    ]
  }
})
