import { fileURLToPath } from "node:url"
import { configDefaults, defineConfig } from "vitest/config"

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

/**
 * The node test files that talk to the reference servers (cognito-local, moto_server): the
 * `node:servers` project starts both for them, once per run (`test/setup/servers.ts`). A
 * file that injects `cognitoLocal` or `moto` belongs here.
 */
const serverTests = ["test/CognitoLocal.test.ts", "test/Moto.test.ts", "test/AuthConformance.test.ts"]

/** The CLI's subprocess tests: the `node:cli` project bundles the bin for them (`test/setup/cliBundle.ts`). */
const cliTests = ["test/Cli*.test.ts"]

/**
 * Each test file in a worker of its own (Vitest's default, chosen here on purpose, which
 * also stops Vitest suggesting `isolate: false` after each run): files set process-wide
 * state (signal handlers, environment variables, servers), which must not leak into the next.
 */
const isolation = { isolate: true }

export default defineConfig({
  test: {
    projects: [
      { resolve, test: { ...isolation, name: "core", root: "packages/core", include: ["test/**/*.test.ts"] } },
      { resolve, test: { ...isolation, name: "test-kit", root: "packages/test-kit", include: ["test/**/*.test.ts"] } },
      {
        resolve,
        test: {
          ...isolation,
          name: "node",
          root: "packages/node",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...serverTests, ...cliTests]
        }
      },
      {
        resolve,
        test: {
          ...isolation,
          name: "node:servers",
          root: "packages/node",
          include: serverTests,
          globalSetup: ["test/setup/servers.ts"]
        }
      },
      {
        resolve,
        test: {
          ...isolation,
          name: "node:cli",
          root: "packages/node",
          include: cliTests,
          globalSetup: ["test/setup/cliBundle.ts"]
        }
      },
      { resolve, test: { ...isolation, name: "browser", root: "packages/browser", include: ["test/**/*.test.ts"] } },
      {
        resolve,
        test: { ...isolation, name: "examples", root: ".", include: ["examples/**/*.test.ts", "test/**/*.test.ts"] }
      }
    ]
  }
})
