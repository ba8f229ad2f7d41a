/**
 * The packages as a user outside this repository gets them: build, `npm pack` every
 * published package, install the tarballs into a fresh project in a temp dir (from the
 * local npm cache), then run a plain `node` ESM script over them and type-check a
 * consumer's TypeScript under plain `strict` with `skipLibCheck: false`: the README's and
 * docs/*.md's and the packages' READMEs' examples among it, and the README's run against a
 * local Cognito.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { explain, root, run } from "./userShell.js"

interface Manifest {
  readonly name: string
  readonly version: string
  readonly private?: boolean
  readonly exports: Record<string, string | Record<string, string>>
}

interface Packed {
  readonly name: string
  readonly filename: string
  readonly files: ReadonlyArray<{ readonly path: string }>
}

const packages = ["core", "test-kit", "node", "browser"]
  .map((dir) => ({
    dir,
    json: JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8")) as Manifest
  }))
  .filter(({ json }) => json.private !== true)

/** The version the workspace has installed, so the consumer's install is served from the npm cache. */
const installed = (name: string) =>
  (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version

const tsc = join(root, "node_modules", "typescript", "bin", "tsc")
const fixtures = join(root, "test", "consumer")

/** The TypeScript examples of a Markdown page. */
const examplesOf = (page: string): Array<string> =>
  [...readFileSync(join(root, page), "utf8").matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "")

/** The README's examples, as `src/readme-<n>.ts` of the consumer. */
const readmeExamples = examplesOf("README.md").map((code, i) => ({ file: `readme-${i + 1}.ts`, code }))

/**
 * The examples of the pages in docs/ (not the generated API reference) and of the packages'
 * READMEs, as `src/docs-<page>-<n>.ts` and `src/package-<dir>-<n>.ts`.
 */
const docsExamples = [
  ...readdirSync(join(root, "docs"))
    .filter((page) => page.endsWith(".md"))
    .map((page) => ({ page: join("docs", page), prefix: `docs-${page.slice(0, -3)}` })),
  ...readdirSync(join(root, "packages")).map((dir) => ({
    page: join("packages", dir, "README.md"),
    prefix: `package-${dir}`
  }))
].flatMap(({ page, prefix }) => examplesOf(page).map((code, i) => ({ file: `${prefix}-${i + 1}.ts`, code })))

let dir = ""
let consumer = ""
let minimal = ""
const packed: Array<Packed> = []

describe("packed packages in a fresh project", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "effect-cognito-pack-"))
    consumer = join(dir, "consumer")
    minimal = join(dir, "minimal")

    const build = await run("npm", ["run", "build"])
    assert.strictEqual(build.code, 0, explain("npm run build", build))

    const pack = await run("npm", [
      "pack",
      "--json",
      "--pack-destination",
      dir,
      ...packages.flatMap(({ dir }) => ["--workspace", `packages/${dir}`])
    ])
    assert.strictEqual(pack.code, 0, explain("npm pack", pack))
    packed.push(...(JSON.parse(pack.stdout) as Array<Packed>))

    mkdirSync(join(consumer, "src"), { recursive: true })
    writeFileSync(
      join(consumer, "package.json"),
      JSON.stringify({
        name: "consumer",
        private: true,
        type: "module",
        devDependencies: { "@types/node": installed("@types/node") }
      })
    )
    writeFileSync(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          types: ["node"],
          strict: true,
          skipLibCheck: false,
          noEmit: true
        },
        include: ["src"]
      })
    )
    cpSync(join(fixtures, "main.mjs"), join(consumer, "main.mjs"))
    cpSync(join(fixtures, "app.ts"), join(consumer, "src", "app.ts"))
    cpSync(join(fixtures, "internal.ts"), join(consumer, "src", "internal.ts"))
    for (const { file, code } of [...readmeExamples, ...docsExamples]) writeFileSync(join(consumer, "src", file), code)

    // As the README says: the tarballs, and effect and @effect/platform-node with no version pinned.
    const tarball = (name: string) => `../${packed.find((p) => p.name === name)?.filename ?? name}`
    const install = await run(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        ...packed.map((p) => `../${p.filename}`),
        "effect",
        "@effect/platform-node"
      ],
      { cwd: consumer }
    )
    assert.strictEqual(install.code, 0, explain("npm install", install))

    // A second consumer with only core and node: no test-kit, no test runner.
    mkdirSync(minimal, { recursive: true })
    writeFileSync(join(minimal, "package.json"), JSON.stringify({ name: "minimal", private: true, type: "module" }))
    const installMinimal = await run(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        tarball("@effect-cognito/core"),
        tarball("@effect-cognito/node"),
        "effect",
        "@effect/platform-node"
      ],
      { cwd: minimal }
    )
    assert.strictEqual(installMinimal.code, 0, explain("npm install (core and node only)", installMinimal))
  }, 600_000)

  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true })
  }, 120_000)

  it("packs every published package with dist/, package.json, README.md and LICENSE only", () => {
    assert.deepStrictEqual(packed.map((p) => p.name).sort(), packages.map((p) => p.json.name).sort())
    for (const tarball of packed) {
      const paths = tarball.files.map((file) => file.path)
      for (const path of paths)
        assert.match(path, /^(dist\/.+\.(js|js\.map|d\.ts)|package\.json|README\.md|LICENSE)$/, tarball.name)
      assert.includeMembers(paths, ["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts"])
    }
  })

  it("ships every file its exports name", () => {
    for (const { json } of packages)
      for (const [key, value] of Object.entries(json.exports))
        for (const target of typeof value === "string" ? [value] : Object.values(value))
          assert.isTrue(
            existsSync(join(consumer, "node_modules", json.name, target)),
            `${json.name} "${key}" → ${target}`
          )
  })

  it("runs a plain node ESM script: sign up, confirm, sign in, tokens, refresh on TestClock", {
    timeout: 120_000
  }, async () => {
    const result = await run("node", ["main.mjs"], { cwd: consumer })
    assert.strictEqual(result.code, 0, explain("node main.mjs", result))
    const report = JSON.parse(result.stdout) as Record<string, unknown>
    assert.deepStrictEqual(report, {
      confirmationState: "Unconfirmed",
      signIn: "SignedIn",
      isSignedIn: true,
      username: "alice",
      lifetimeSeconds: 3600,
      accessTokenParts: 3,
      accessTokenJson: '"<redacted>"',
      refreshedAfterSeconds: 56 * 60,
      coreNamespaces: readdirSync(join(root, "packages", "core", "src"))
        .filter((f) => /^[A-Z]\w*\.ts$/.test(f))
        .map((f) => f.slice(0, -3))
        .sort(),
      nodeAuthLayer: "function",
      nodeTokenStoreLayer: "function",
      internal: "ERR_PACKAGE_PATH_NOT_EXPORTED",
      internalFile: "ERR_PACKAGE_PATH_NOT_EXPORTED",
      tokenStoreSuiteWithoutVitest: "ERR_MODULE_NOT_FOUND"
    })
  })

  it("resolves one effect, 4.x, shared by the app and the packages", async () => {
    const list = await run("npm", ["ls", "effect", "--all", "--json"], { cwd: consumer })
    assert.strictEqual(list.code, 0, explain("npm ls effect", list))
    const versions = new Set<string>()
    const walk = (node: { readonly version?: string; readonly dependencies?: Record<string, unknown> }, name = "") => {
      if (name === "effect" && node.version !== undefined) versions.add(node.version)
      for (const [child, value] of Object.entries(node.dependencies ?? {})) walk(value as typeof node, child)
    }
    walk(JSON.parse(list.stdout) as Parameters<typeof walk>[0])
    assert.strictEqual(versions.size, 1, [...versions].join(", "))
    assert.match([...versions][0] ?? "", /^4\./)
  })

  it("imports @effect-cognito/node in a project with only core and node installed (no test-kit)", {
    timeout: 60_000
  }, async () => {
    assert.isFalse(existsSync(join(minimal, "node_modules", "@effect-cognito", "test-kit")))
    const script = [
      'const node = await import("@effect-cognito/node")',
      'const core = await import("@effect-cognito/core/Auth")',
      "console.log(JSON.stringify({ node: Object.keys(node).sort(), auth: typeof core.layer }))"
    ].join(";")
    const result = await run("node", ["--input-type=module", "-e", script], { cwd: minimal })
    assert.strictEqual(result.code, 0, explain("node -e import", result))
    assert.deepStrictEqual(JSON.parse(result.stdout), {
      node: ["NodeAuth", "NodeSrpMath", "NodeTokenStore"],
      auth: "object"
    })
  })

  it("installs the effect-cognito bin, which runs under plain node: --help, and one line for a missing variable", {
    timeout: 120_000
  }, async () => {
    const bin = join(consumer, "node_modules", ".bin", "effect-cognito")
    const env = { EFFECT_COGNITO_HOME: join(dir, "cli-home") }
    const help = await run(bin, ["--help"], { cwd: consumer, env })
    assert.strictEqual(help.code, 0, explain("effect-cognito --help", help))
    assert.include(help.stdout, "sign-in")
    const missing = await run(bin, ["tokens"], { cwd: consumer, env })
    assert.strictEqual(missing.code, 1, explain("effect-cognito tokens", missing))
    assert.strictEqual(
      missing.stderr.trim(),
      "effect-cognito: AuthConfig failed (InvalidConfig): COGNITO_USER_POOL_ID is missing; COGNITO_CLIENT_ID is missing"
    )
  })

  it("type-checks the consumer and the examples of the READMEs and docs/ under plain strict with skipLibCheck false; internal/ is unreachable", {
    timeout: 300_000
  }, async () => {
    const result = await run("node", [tsc, "-p", "tsconfig.json"], { cwd: consumer })
    const errors = result.stdout.split("\n").filter((line) => /error TS\d+/.test(line))
    assert.lengthOf(readmeExamples, 1)
    assert.isAbove(docsExamples.length, 5)
    assert.deepStrictEqual(
      errors.filter((line) => !line.startsWith("src/internal.ts")),
      [],
      explain("tsc", result)
    )
    assert.lengthOf(errors, 1, explain("tsc", result))
    assert.match(
      errors[0] ?? "",
      /src\/internal\.ts\(2,\d+\): error TS2307: Cannot find module '@effect-cognito\/core\/internal\/auth'/
    )
  })

  it("runs the README's example with plain node against a local Cognito: signed in, no warning", {
    timeout: 120_000
  }, async () => {
    const results = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const local = yield* LocalCognito.make()
          const pool = yield* local.pool(local.defaultPool.userPoolId)
          yield* pool.adminCreateUser({ username: "alice", messageAction: "SUPPRESS" })
          yield* pool.adminSetUserPassword("alice", Redacted.make("Abc@123!x"), { permanent: true })
          const env = {
            COGNITO_USER_POOL_ID: local.defaultPool.userPoolId,
            COGNITO_CLIENT_ID: local.defaultPool.clientId,
            COGNITO_ENDPOINT: local.endpoint,
            APP_USERNAME: "alice",
            APP_PASSWORD: "Abc@123!x"
          }
          return yield* Effect.forEach(readmeExamples, ({ file }) =>
            Effect.promise(() => run("node", [join("src", file)], { cwd: consumer, env }))
          )
        })
      )
    )
    assert.lengthOf(results, 1)
    for (const result of results) {
      assert.strictEqual(result.code, 0, explain("node src/readme-1.ts", result))
      assert.strictEqual(result.stderr, "", explain("node src/readme-1.ts", result))
    }
    assert.strictEqual(results[0]?.stdout, "signed in as alice\n")
  })
})
