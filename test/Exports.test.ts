/**
 * Keeps every package's manifest honest as modules come and go: each public module
 * `packages/<pkg>/src/<Name>.ts` has its `exports` entry, each entry points at what the
 * build emits (`tsconfig.build.json`: `src` → `dist`), `internal/` is never exported, no
 * manifest points at sources, and the dependencies are exactly what `src` imports.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { root } from "./userShell.js"

interface Manifest {
  readonly name: string
  readonly private?: boolean
  readonly main?: string
  readonly types?: string
  readonly files?: ReadonlyArray<string>
  readonly exports?: Record<string, string | Record<string, string>>
  readonly dependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
  readonly peerDependenciesMeta?: Record<string, { readonly optional?: boolean }>
}

const packagesDir = join(root, "packages")
const packages = readdirSync(packagesDir).filter((name) => existsSync(join(packagesDir, name, "package.json")))
const manifest = (pkg: string): Manifest =>
  JSON.parse(readFileSync(join(packagesDir, pkg, "package.json"), "utf8")) as Manifest
const srcDir = (pkg: string) => join(packagesDir, pkg, "src")

/** The public modules of a package: the `.ts` files directly in `src` (not `internal/`). */
const publicModules = (pkg: string): Array<string> =>
  existsSync(srcDir(pkg))
    ? readdirSync(srcDir(pkg))
        .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
        .map((file) => file.slice(0, -3))
    : []

/** The exports subpath of a module: `.` for `index`, `./<Name>` otherwise. */
const subpath = (module: string) => (module === "index" ? "." : `./${module}`)

/** What the build emits for a module (`tsconfig.build.json`: rootDir `src`, outDir `dist`). */
const emitted = (module: string) => ({ types: `./dist/${module}.d.ts`, import: `./dist/${module}.js` })

/** The source a `./dist/<path>.js` or `./dist/<path>.d.ts` target is emitted from, if any. */
const sourceOf = (pkg: string, target: string): string | undefined => {
  const match = /^\.\/dist\/(.+?)(\.d\.ts|\.js)$/.exec(target)
  return match?.[1] === undefined ? undefined : join(srcDir(pkg), `${match[1]}.ts`)
}

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : []
  )

/**
 * The packages a package's `src` imports (bare specifiers, by package name; `node:*` excluded),
 * outside block comments: a doc comment's example imports what its reader would.
 */
const importedPackages = (pkg: string): Set<string> => {
  const names = new Set<string>()
  for (const file of sourceFiles(srcDir(pkg)))
    for (const match of readFileSync(file, "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
      const specifier = match[1] ?? ""
      if (specifier.startsWith(".") || specifier.startsWith("node:")) continue
      const parts = specifier.split("/")
      names.add(specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? specifier))
    }
  return names
}

const peersOf = (name: string): Array<string> => {
  const path = join(root, "node_modules", name, "package.json")
  if (!existsSync(path)) return []
  return Object.keys((JSON.parse(readFileSync(path, "utf8")) as Manifest).peerDependencies ?? {})
}

describe("package manifests", () => {
  it("finds the packages", () => {
    assert.includeMembers(packages, ["core", "node", "test-kit"])
  })

  for (const pkg of packages) {
    describe(pkg, () => {
      const json = manifest(pkg)
      const modules = publicModules(pkg)
      const publishable = modules.includes("index")

      it("is published exactly when it has src/index.ts", () => {
        assert.strictEqual(json.private !== true, publishable, `${json.name}: "private" must be ${!publishable}`)
      })

      it("has an exports entry for every public module in src, pointing at what the build emits", () => {
        for (const module of modules)
          assert.deepStrictEqual(
            json.exports?.[subpath(module)],
            emitted(module),
            `${json.name}: src/${module}.ts is a public module; add to "exports": "${subpath(module)}": ${JSON.stringify(emitted(module))}`
          )
      })

      it("exports nothing the build does not emit, nothing from internal/ and no pattern", () => {
        for (const [key, value] of Object.entries(json.exports ?? {})) {
          if (key === "./package.json") {
            assert.strictEqual(value, "./package.json")
            continue
          }
          assert.notInclude(key, "*", `${json.name}: "${key}" is a pattern; list modules one by one`)
          assert.notInclude(key, "internal", `${json.name}: "${key}" exposes internal/`)
          assert.isObject(value, `${json.name}: "${key}" needs "types" and "import" conditions`)
          const conditions = value as Record<string, string>
          assert.deepStrictEqual(Object.keys(conditions), ["types", "import"], `${json.name}: "${key}"`)
          for (const target of Object.values(conditions)) {
            const source = sourceOf(pkg, target)
            assert.isDefined(source, `${json.name}: "${key}" → ${target} is not in dist/`)
            assert.isTrue(
              source !== undefined && existsSync(source),
              `${json.name}: "${key}" → ${target}, but the build emits no such file (no ${source})`
            )
          }
        }
      })

      it("points main, types and files at dist only, never at sources", () => {
        const text = readFileSync(join(packagesDir, pkg, "package.json"), "utf8")
        assert.notMatch(text, /\.\/src\//, `${json.name}: package.json points at sources`)
        assert.notMatch(text, /(?<!\.d)\.ts"/, `${json.name}: package.json names a .ts file that is not a declaration`)
        assert.deepStrictEqual(json.files, ["dist", "!dist/*.tsbuildinfo"])
        if (publishable) {
          assert.strictEqual(json.main, "./dist/index.js")
          assert.strictEqual(json.types, "./dist/index.d.ts")
        }
      })

      it("ships a README and a LICENSE", () => {
        assert.isTrue(existsSync(join(packagesDir, pkg, "README.md")), `${json.name}: README.md`)
        assert.isTrue(existsSync(join(packagesDir, pkg, "LICENSE")), `${json.name}: LICENSE`)
      })

      if (publishable)
        it("declares exactly the packages its src imports (a peer of one of them may be declared too)", () => {
          const declared = [...Object.keys(json.dependencies ?? {}), ...Object.keys(json.peerDependencies ?? {})]
          const imported = importedPackages(pkg)
          for (const name of imported)
            assert.include(declared, name, `${json.name}: src imports ${name}, which package.json does not declare`)
          const peersOfImported = new Set([...imported].flatMap(peersOf))
          for (const name of declared)
            assert.isTrue(
              imported.has(name) || peersOfImported.has(name),
              `${json.name}: declares ${name}, which src does not import`
            )
        })
    })
  }

  it("test-kit's root entry needs no test runner; its Vitest peers are optional", () => {
    const json = manifest("test-kit")
    const index = readFileSync(join(srcDir("test-kit"), "index.ts"), "utf8")
    assert.notMatch(index, /"\.\/TokenStoreSuite\.js"/)
    assert.deepStrictEqual(json.peerDependenciesMeta, {
      "@effect/vitest": { optional: true },
      vitest: { optional: true }
    })
  })
})
