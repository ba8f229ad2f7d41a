/**
 * The package rules that keep core portable, the public surface small and the module
 * graph acyclic, checked over the sources of every package.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as IdentityPool from "@effect-cognito/core/IdentityPool"
import * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import * as Core from "@effect-cognito/core"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"

const packages = join(import.meta.dirname, "..", "packages")

/** The public modules of a package: every `src/<Name>.ts` but the index, sorted. */
const publicModules = (pkg: string) =>
  readdirSync(join(packages, pkg, "src"))
    .filter((f) => /^[A-Z]\w*\.ts$/.test(f))
    .map((f) => f.slice(0, -3))
    .sort()

const sources = (dir: string): Array<string> =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : []
      )
    : []

const packageNames = readdirSync(packages).filter((name) => existsSync(join(packages, name, "package.json")))
const sourcesOf = (pkg: string) => sources(join(packages, pkg, "src"))
const testsOf = (pkg: string) => sources(join(packages, pkg, "test"))

/** A source file's code without its block comments: the imports of a doc comment's example are not the module's. */
const codeOf = (file: string): string => readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "")

/** Every `import … from` / `export … from` specifier of a file, with whether it is for types only. */
const importsOf = (file: string): Array<{ readonly specifier: string; readonly typeOnly: boolean }> => {
  const text = codeOf(file)
  const out: Array<{ specifier: string; typeOnly: boolean }> = []
  for (const match of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?\sfrom\s+"([^"]+)"/gms))
    out.push({ specifier: match[3]!, typeOnly: match[2] !== undefined })
  for (const match of text.matchAll(/^import\s+"([^"]+)"/gm)) out.push({ specifier: match[1]!, typeOnly: false })
  return out
}

/** The source file an import names, when it is one of ours. */
const resolveImport = (from: string, specifier: string): string | undefined => {
  if (specifier.startsWith(".")) return resolve(dirname(from), specifier.replace(/\.js$/, ".ts"))
  const ours = /^@effect-cognito\/([^/]+)(?:\/(.+))?$/.exec(specifier)
  if (ours === null) return undefined
  return join(packages, ours[1]!, "src", `${ours[2] ?? "index"}.ts`)
}

/** The package a file belongs to, and whether it is inside that package's `src/internal/`. */
const locate = (file: string) => {
  const [pkg = "", area = "", sub = ""] = relative(packages, file).split("/")
  return { pkg, internal: area === "src" && sub === "internal" }
}

/** A cycle of the graph (its nodes, the first repeated at the end), or `undefined`. */
const findCycle = (edges: ReadonlyMap<string, ReadonlyArray<string>>): ReadonlyArray<string> | undefined => {
  const done = new Set<string>()
  const visit = (node: string, path: ReadonlyArray<string>): ReadonlyArray<string> | undefined => {
    const seen = path.indexOf(node)
    if (seen !== -1) return [...path.slice(seen), node]
    if (done.has(node)) return undefined
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next, [...path, node])
      if (cycle !== undefined) return cycle
    }
    done.add(node)
    return undefined
  }
  for (const node of edges.keys()) {
    const cycle = visit(node, [])
    if (cycle !== undefined) return cycle
  }
  return undefined
}

describe("package boundaries", () => {
  it("core imports no node:* module, no other package of ours and no barrel of effect", () => {
    for (const file of sourcesOf("core")) {
      const text = codeOf(file)
      assert.notMatch(text, /from "node:/, file)
      assert.notMatch(text, /from "@effect-cognito\//, file)
      assert.notMatch(text, /from "effect"/, file)
    }
  })

  it("no package imports another package's internal/ modules, in sources or tests", () => {
    for (const pkg of packageNames)
      for (const file of [...sourcesOf(pkg), ...testsOf(pkg)])
        for (const { specifier } of importsOf(file)) {
          assert.notMatch(specifier, /^@effect-cognito\/[^/]+\/internal\//, `${file} imports ${specifier}`)
          const target = resolveImport(file, specifier)
          if (target === undefined || !target.startsWith(packages)) continue
          const { pkg: owner, internal } = locate(target)
          assert.isFalse(owner !== pkg && internal, `${file} imports ${specifier}, internal to ${owner}`)
        }
  })

  it("the runtime imports between our modules form no cycle", () => {
    const files = packageNames.flatMap(sourcesOf)
    const edges = new Map(
      files.map((file) => [
        file,
        importsOf(file)
          .filter((i) => !i.typeOnly)
          .flatMap(({ specifier }) => {
            const target = resolveImport(file, specifier)
            return target === undefined ? [] : [target]
          })
      ])
    )
    assert.isAbove(edges.size, 20)
    const cycle = findCycle(edges)
    assert.isUndefined(cycle, `runtime import cycle: ${cycle?.map((f) => relative(packages, f)).join(" -> ")}`)
  })

  it("the cycle check finds a cycle, and reads `import type` as no edge", () => {
    assert.deepStrictEqual(
      findCycle(
        new Map([
          ["Auth", ["internal/auth", "Context"]],
          ["internal/auth", ["Session"]],
          ["Session", ["Auth"]]
        ])
      ),
      ["Auth", "internal/auth", "Session", "Auth"]
    )
    assert.isUndefined(
      findCycle(
        new Map([
          ["a", ["b"]],
          ["b", ["c"]],
          ["d", ["b"]]
        ])
      )
    )
    const internalAuth = importsOf(join(packages, "core", "src", "internal", "auth.ts"))
    assert.deepInclude(internalAuth, { specifier: "../Auth.js", typeOnly: true })
    assert.deepInclude(internalAuth, { specifier: "./session.js", typeOnly: false })
  })

  it("service keys are <package>/<Module>", () => {
    assert.strictEqual(Auth.Auth.key, "@effect-cognito/core/Auth")
    assert.strictEqual(AuthConfig.AuthConfig.key, "@effect-cognito/core/AuthConfig")
    assert.strictEqual(IdentityProvider.IdentityProvider.key, "@effect-cognito/core/IdentityProvider")
    assert.strictEqual(IdentityPool.IdentityPool.key, "@effect-cognito/core/IdentityPool")
    assert.strictEqual(TokenStore.TokenStore.key, "@effect-cognito/core/TokenStore")
    assert.strictEqual(SecureRandom.SecureRandom.key, "@effect-cognito/core/SecureRandom")
    assert.strictEqual(TestCognito.TestCognito.key, "@effect-cognito/test-kit/TestCognito")
  })

  it("the core index re-exports modules as namespaces and nothing from internal/", () => {
    assert.deepStrictEqual(Object.keys(Core).sort(), publicModules("core"))
    const index = readFileSync(join(packages, "core", "src", "index.ts"), "utf8")
    assert.notMatch(index, /internal/)
  })
})
