import { availableParallelism } from "node:os"
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
 * A test's limit before it is taken for hung: 30 s, not Vitest's 5 s, since two workers share
 * two cores and CPU-bound tests (SRP against amazon-cognito-identity-js's BigInteger) slow down
 * with them. Nothing here waits on real time, so this only bounds a hang.
 */
const testTimeout = 30_000

/**
 * Each test file in a worker of its own (Vitest's default, chosen here on purpose, which
 * also stops Vitest suggesting `isolate: false` after each run): files set process-wide
 * state (signal handlers, environment variables, servers), which must not leak into the next.
 */
const isolation = { isolate: true, testTimeout }

/**
 * Two test files at a time, on the 2-core machines CI runs on (Vitest's default there is one,
 * its cores minus one): most files wait on a child process, a loopback server or Chromium,
 * which leaves the second core idle with one worker.
 */
const maxWorkers = Math.max(2, availableParallelism() - 1)

export default defineConfig({
  test: {
    maxWorkers,
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
