/**
 * The checks of the API reference that `npm run docs` generates with @effect/docgen (one
 * `docgen.json` per published package), made in seconds so that every `npm test` makes
 * them: every export of a public module has a description, and every TypeScript example
 * in a doc comment (an `@example`, or a ```ts fence in a description) type-checks, as a
 * file of its own, with the package's `examplesCompilerOptions`, where docgen puts it.
 *
 * docgen itself takes a minute and a half of CPU for the four packages (it also types every
 * signature and formats the Markdown), so this test applies docgen's rules instead of
 * running it: the exports it documents (functions, constants, classes and their public
 * members, interfaces, type aliases, namespaces and their members, `export { … }`
 * specifiers; `@internal` and `@ignore` skipped), a description being the text before the
 * first tag, and its fence rule (`ts` or `typescript`, not `skip-type-checking`). One rule
 * more than docgen's: each module opens with a comment saying what it is for.
 * Examples are type-checked in memory, in one TypeScript program per set of options.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import ts from "typescript"
import { root } from "./userShell.js"

interface DocgenConfig {
  readonly srcDir?: string
  readonly outDir: string
  readonly exclude: ReadonlyArray<string>
  readonly enforceDescriptions: boolean
  readonly examplesCompilerOptions: Record<string, unknown>
}

/** docgen's fence metadata for an example it must not type-check. */
const skipTypeChecking = "skip-type-checking"

const packagesDir = join(root, "packages")
const published = readdirSync(packagesDir).filter((pkg) => existsSync(join(packagesDir, pkg, "src", "index.ts")))

const configOf = (pkg: string): DocgenConfig =>
  JSON.parse(readFileSync(join(packagesDir, pkg, "docgen.json"), "utf8")) as DocgenConfig

const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : []
  )

/**
 * The modules docgen documents: `<srcDir>/**\/*.ts` without the `exclude` globs, which
 * here are all of the form `<dir>/**\/*.ts` (a test below keeps them so).
 */
const modulesOf = (pkg: string): Array<string> => {
  const dir = join(packagesDir, pkg)
  const config = configOf(pkg)
  const excluded = config.exclude.map((glob) => glob.replace(/\*\*\/\*\.ts$/, ""))
  return filesUnder(join(dir, config.srcDir ?? "src"))
    .filter((file) => !excluded.some((prefix) => relative(dir, file).startsWith(prefix)))
    .sort()
}

/** The lines of a `/** … *\/` comment without its delimiters and leading `*`s. */
const unwrap = (comment: string): Array<string> =>
  comment
    .replace(/^\/\*\*/, "")
    .replace(/\*\/$/, "")
    .split("\n")
    .map((line) => line.replace(/^\s*\* ?/, ""))

/** What docgen takes for the description: the text before the first tag. */
const descriptionOf = (comment: string | undefined): string => {
  if (comment === undefined) return ""
  const lines = unwrap(comment)
  const firstTag = lines.findIndex((line) => /^\s*@\w/.test(line))
  return (firstTag === -1 ? lines : lines.slice(0, firstTag)).join("\n").trim()
}

const tagged = (comment: string | undefined, tag: string): boolean =>
  comment !== undefined && unwrap(comment).some((line) => new RegExp(`^\\s*@${tag}\\b`).test(line))

/** The last `/** … *\/` comment right before a node (docgen reads the last one). */
const docComment = (node: ts.Node, source: ts.SourceFile): string | undefined => {
  const ranges = ts.getLeadingCommentRanges(source.text, node.getFullStart()) ?? []
  const docs = ranges.map((range) => source.text.slice(range.pos, range.end)).filter((text) => text.startsWith("/**"))
  return docs.at(-1)
}

const isExported = (node: ts.Node): boolean =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)

const hasModifier = (node: ts.Node, kind: ts.SyntaxKind): boolean =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind)

/**
 * The exports of a module that docgen requires a description for and that have none, as
 * `<file>:<line> <name>`.
 */
const undocumented = (fileName: string, text: string): Array<string> => {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true)
  const missing: Array<string> = []
  const check = (node: ts.Node, name: string, comment = docComment(node, source)): boolean => {
    if (tagged(comment, "internal") || tagged(comment, "ignore")) return false
    if (descriptionOf(comment) === "") {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source))
      missing.push(`${fileName}:${line + 1} ${name}`)
    }
    return true
  }
  const checkNamespace = (namespace: ts.ModuleDeclaration, prefix: string) => {
    const name = `${prefix}${namespace.name.getText(source)}`
    if (!check(namespace, name)) return
    const body = namespace.body
    if (body === undefined || !ts.isModuleBlock(body)) return
    for (const statement of body.statements) {
      if (!isExported(statement)) continue
      if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement))
        check(statement, `${name}.${statement.name.text}`)
      else if (ts.isModuleDeclaration(statement)) checkNamespace(statement, `${name}.`)
    }
  }
  const first = source.statements[0]
  if (first !== undefined && descriptionOf(docComment(first, source)) === "") missing.push(`${fileName}:1 (the module)`)
  const functions = new Set<string>()
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      // `export * from` gets a description from docgen itself; each named export needs its own.
      if (statement.exportClause !== undefined && ts.isNamedExports(statement.exportClause))
        for (const specifier of statement.exportClause.elements) check(specifier, specifier.name.text)
      continue
    }
    if (!isExported(statement)) continue
    if (ts.isFunctionDeclaration(statement) && statement.name !== undefined) {
      // Overloads: the first declaration carries the documentation.
      if (!functions.has(statement.name.text)) check(statement, statement.name.text)
      functions.add(statement.name.text)
    } else if (ts.isVariableStatement(statement)) {
      const comment = docComment(statement, source)
      for (const declaration of statement.declarationList.declarations)
        if (declaration.initializer !== undefined) check(declaration, declaration.name.getText(source), comment)
    } else if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) {
      check(statement, statement.name.text)
    } else if (ts.isModuleDeclaration(statement)) {
      checkNamespace(statement, "")
    } else if (ts.isClassDeclaration(statement) && statement.name !== undefined) {
      const className = statement.name.text
      if (!check(statement, className)) continue
      for (const member of statement.members) {
        if (hasModifier(member, ts.SyntaxKind.PrivateKeyword) || member.name === undefined) continue
        if (ts.isPrivateIdentifier(member.name)) continue
        const isStatic = hasModifier(member, ts.SyntaxKind.StaticKeyword)
        if (ts.isMethodDeclaration(member) || (ts.isPropertyDeclaration(member) && !isStatic))
          check(member, `${className}.${member.name.getText(source)}`)
      }
    }
  }
  return missing
}

/** The TypeScript examples in the doc comments of a module, as docgen extracts them. */
const examplesIn = (text: string): Array<string> =>
  [...text.matchAll(/\/\*\*[\s\S]*?\*\//g)].flatMap(([comment]) =>
    [
      ...unwrap(comment)
        .join("\n")
        .matchAll(/(?:```|~~~)(.*?)\n([\s\S]*?)(?:```|~~~|$)/g)
    ]
      .filter(([, meta = ""]) => /^(ts|typescript)/i.test(meta) && !meta.toLowerCase().includes(skipTypeChecking))
      .map(([, , code = ""]) => code.trim())
  )

/** Where docgen writes a package's examples (and its tsconfig.json). */
const examplesDir = (pkg: string) => join(packagesDir, pkg, configOf(pkg).outDir, "examples")

/** A package's `examplesCompilerOptions`, with `paths` resolved from its examples directory. */
const compilerOptionsOf = (pkg: string): ts.CompilerOptions => {
  const dir = examplesDir(pkg)
  const json = configOf(pkg).examplesCompilerOptions
  const paths = json.paths as Record<string, ReadonlyArray<string>> | undefined
  const { options, errors } = ts.convertCompilerOptionsFromJson(
    paths === undefined
      ? json
      : {
          ...json,
          paths: Object.fromEntries(
            Object.entries(paths).map(([key, targets]) => [key, targets.map((t) => join(dir, t))])
          )
        },
    dir
  )
  assert.deepStrictEqual(
    errors.map((error) => ts.flattenDiagnosticMessageText(error.messageText, "\n")),
    []
  )
  return options
}

/** An example that must not compile, checked beside core's: the check sees a type error. */
const canary = {
  pkg: "core",
  name: "canary.ts",
  code: ['import * as Auth from "@effect-cognito/core/Auth"', "export const port: number = Auth.layer"].join("\n")
}

/** The examples of every published package (file path → code), where docgen writes them. */
const allExamples = (): Map<string, { readonly pkg: string; readonly code: string }> =>
  new Map([
    ...published.flatMap((pkg) =>
      modulesOf(pkg).flatMap((file) =>
        examplesIn(readFileSync(file, "utf8")).map((code, i) => {
          const name = `${relative(join(packagesDir, pkg, "src"), file).replaceAll("/", "-")}-${i}.ts`
          return [join(examplesDir(pkg), name), { pkg, code }] as const
        })
      )
    ),
    [join(examplesDir(canary.pkg), canary.name), canary]
  ])

let diagnostics: Map<string, Array<string>> | undefined

/**
 * Type-checks every example as docgen's `tsc` does, each a file of its own in its
 * package's examples directory with the package's options; packages whose options are
 * the same share one program, and all programs share the parsed sources and declarations.
 * The diagnostics of each example file, computed once.
 */
const exampleDiagnostics = (): Map<string, Array<string>> => {
  if (diagnostics !== undefined) return diagnostics
  const examples = allExamples()
  const groups = new Map<string, { options: ts.CompilerOptions; files: Array<string> }>()
  for (const [file, { pkg }] of examples) {
    const options = compilerOptionsOf(pkg)
    const key = JSON.stringify(options)
    const group = groups.get(key) ?? { options, files: [] }
    group.files.push(file)
    groups.set(key, group)
  }
  const parsed = new Map<string, ts.SourceFile | undefined>()
  diagnostics = new Map()
  for (const { options, files } of groups.values()) {
    const host = ts.createCompilerHost(options)
    const { fileExists, readFile, getSourceFile } = host
    host.fileExists = (file) => examples.has(file) || fileExists.call(host, file)
    host.readFile = (file) => examples.get(file)?.code ?? readFile.call(host, file)
    host.getSourceFile = (file, language, onError) => {
      const example = examples.get(file)
      if (example !== undefined) return ts.createSourceFile(file, example.code, language)
      const key = `${file}\0${JSON.stringify(language)}`
      if (!parsed.has(key)) parsed.set(key, getSourceFile.call(host, file, language, onError))
      return parsed.get(key)
    }
    const program = ts.createProgram({ rootNames: files, options, host })
    for (const file of files) {
      const source = program.getSourceFile(file)!
      const found = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]
      diagnostics.set(
        file,
        found.map((d) => {
          const { line } = source.getLineAndCharacterOfPosition(d.start ?? 0)
          return `line ${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`
        })
      )
    }
  }
  return diagnostics
}

describe("the API reference (npm run docs: @effect/docgen)", () => {
  it("has a docgen.json for every published package: descriptions enforced, internal/ left out", () => {
    assert.includeMembers(published, ["core", "test-kit", "node", "browser"])
    for (const pkg of published) {
      const config = configOf(pkg)
      assert.isTrue(config.enforceDescriptions, `${pkg}: enforceDescriptions`)
      assert.include(config.exclude, "src/internal/**/*.ts", pkg)
      for (const glob of config.exclude) assert.match(glob, /^[\w./-]+\/\*\*\/\*\.ts$/, `${pkg}: exclude ${glob}`)
      assert.match(config.outDir, /^\.\.\/\.\.\/docs\/api\//, `${pkg}: outDir`)
      assert.isFalse(
        modulesOf(pkg).some((file) => file.includes("/internal/")),
        pkg
      )
    }
  })

  for (const pkg of published)
    it(`${pkg}: every export of a public module has a description`, () => {
      const modules = modulesOf(pkg)
      assert.isAbove(modules.length, 1)
      const missing = modules.flatMap((file) => undocumented(relative(root, file), readFileSync(file, "utf8")))
      assert.deepStrictEqual(missing, [], "add a doc comment (a sentence before any tag) to each")
    })

  for (const pkg of published)
    it(`${pkg}: every TypeScript example in a doc comment type-checks on its own`, { timeout: 120_000 }, () => {
      const mine = [...exampleDiagnostics()].filter(
        ([file]) => file.startsWith(examplesDir(pkg)) && !file.endsWith(canary.name)
      )
      assert.isAbove(mine.length, 0, `${pkg} has no example`)
      const failing = mine
        .filter(([, found]) => found.length > 0)
        .map(([file, found]) => [relative(examplesDir(pkg), file), ...found])
      assert.deepStrictEqual(failing, [], "these examples do not compile as a user would write them")
    })

  it("finds an export without a description, and the examples of a doc comment", () => {
    const module = [
      "/**",
      " * A module.",
      " *",
      " * @example",
      " * ```ts",
      ...canary.code.split("\n").map((line) => ` * ${line}`),
      " * ```",
      " *",
      " * ```ts skip-type-checking",
      " * not(typescript",
      " * ```",
      " */",
      "/** Described. */",
      "export const described = 1",
      "export const bare = 2",
      "/** @since 0.1.0 */",
      "export interface OnlyTagged {}",
      "/** @internal */",
      "export const hidden = 3",
      "export {",
      "  /** Described too. */",
      "  described as alias,",
      "  described as plain",
      "}",
      "/** A class. */",
      "export class Box {",
      "  /** Described. */",
      "  readonly a = 1",
      "  readonly b = 2",
      "  private readonly c = 3",
      "  method() {}",
      "}",
      "/** The types. */",
      "export declare namespace Box {",
      "  export interface Service {}",
      "}"
    ].join("\n")
    assert.deepStrictEqual(undocumented("Fake.ts", module), [
      "Fake.ts:16 bare",
      "Fake.ts:18 OnlyTagged",
      "Fake.ts:24 plain",
      "Fake.ts:30 Box.b",
      "Fake.ts:32 Box.method",
      "Fake.ts:36 Box.Service"
    ])
    assert.deepStrictEqual(undocumented("Bare.ts", "export {}"), ["Bare.ts:1 (the module)"])
    assert.deepStrictEqual(examplesIn(module), [canary.code])
  })

  it("sees an example that does not compile (a canary beside core's examples)", { timeout: 120_000 }, () => {
    const found = exampleDiagnostics().get(join(examplesDir(canary.pkg), canary.name)) ?? []
    assert.lengthOf(found, 1)
    assert.match(found[0] ?? "", /^line 2: Type .* is not assignable to type 'number'/)
  })
})
