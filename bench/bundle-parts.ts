/**
 * What our share of the browser bundle is spent on (`npm run bench` runs it after the
 * bundle sizes): the code of `browser/app-ours.ts` that is ours (Effect and
 * @effect/* left out as external imports) is minified and gzipped as it is, then
 * again with parts taken out by a TypeScript transform, to tell how many gzip bytes those
 * parts cost:
 *
 * - messages: every string or template with a space in it and more than 12 characters
 *   (error descriptions, log lines), replaced by "";
 * - logs: `Effect.logDebug/logInfo/logWarning/logError(...)` replaced by `Effect.void`, and
 *   `annotateLogs` by the identity;
 * - spans: `withSpan` replaced by the identity;
 *
 * and all three at once. What is left is the logic: SRP, SigV4, the wire clients, the
 * session and its refresh, credentials, the stores and tab sync, the checks. The stripped
 * bundles are measured, never run.
 *
 *   npx tsx bench/bundle-parts.ts
 */
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import * as esbuild from "esbuild"
import ts from "typescript"

const entry = fileURLToPath(new URL("./browser/app-ours.ts", import.meta.url))

type Part = "messages" | "logs" | "spans"

const logCalls = new Set(["logDebug", "logInfo", "logWarning", "logError"])

/** The name of a call like `X.name(...)`, if it is one. */
const memberName = (node: ts.CallExpression) =>
  ts.isPropertyAccessExpression(node.expression) ? node.expression.name.text : undefined

const identity = (factory: ts.NodeFactory) =>
  factory.createArrowFunction(
    undefined,
    undefined,
    [factory.createParameterDeclaration(undefined, undefined, "x")],
    undefined,
    undefined,
    factory.createIdentifier("x")
  )

/** Takes `parts` out of the code. */
const strip =
  (parts: ReadonlySet<Part>): ts.TransformerFactory<ts.SourceFile> =>
  (context) => {
    const { factory } = context
    const visit = (node: ts.Node): ts.Node => {
      if (ts.isImportDeclaration(node)) return node
      if (parts.has("messages")) {
        if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && isMessage(node.text))
          return factory.createStringLiteral("")
        if (ts.isTemplateExpression(node)) {
          const text = node.head.text + node.templateSpans.map((span) => span.literal.text).join("")
          if (isMessage(text)) return factory.createStringLiteral("")
        }
      }
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const name = memberName(node)
        const [first] = node.arguments
        if (parts.has("logs") && name !== undefined && logCalls.has(name))
          return factory.createPropertyAccessExpression(node.expression.expression, "void")
        if (parts.has("logs") && name === "annotateLogs")
          return node.arguments.length === 1 || first === undefined ? identity(factory) : ts.visitNode(first, visit)
        if (parts.has("spans") && name === "withSpan")
          return first === undefined || ts.isStringLiteralLike(first) || node.arguments.length === 1
            ? identity(factory)
            : ts.visitNode(first, visit)
      }
      return ts.visitEachChild(node, visit, context)
    }
    return (file) => ts.visitNode(file, visit) as ts.SourceFile
  }

const isMessage = (text: string) => text.length > 12 && text.includes(" ")

/** Our code alone: the app bundled with Effect (and any @effect/* package) as external imports. */
const ours = async () => {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    define: { global: "globalThis" },
    external: ["effect", "effect/*", "@effect/*"],
    write: false,
    logLevel: "error"
  })
  return result.outputFiles[0]!.text
}

const gzipOf = async (code: string, parts: ReadonlySet<Part>) => {
  let source = code
  if (parts.size > 0) {
    const file = ts.createSourceFile("ours.js", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS)
    const [stripped] = ts.transform(file, [strip(parts)]).transformed
    source = ts.createPrinter().printFile(stripped!)
  }
  const minified = await esbuild.transform(source, { loader: "js", minify: true, format: "esm", target: "es2022" })
  return gzipSync(minified.code, { level: 9 }).length
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

const main = async () => {
  const code = await ours()
  const whole = await gzipOf(code, new Set())
  console.log("\nWhat our share of the browser app costs (our code alone, Effect external; minified, gzip)\n")
  console.log(`${"our code as shipped".padEnd(44)} ${kb(whole).padStart(9)}`)
  const rows: ReadonlyArray<readonly [string, ReadonlyArray<Part>]> = [
    ["without messages (descriptions, log lines)", ["messages"]],
    ["without logs", ["logs"]],
    ["without spans", ["spans"]],
    ["without messages, logs and spans", ["messages", "logs", "spans"]]
  ]
  for (const [label, parts] of rows) {
    const size = await gzipOf(code, new Set(parts))
    console.log(`${label.padEnd(44)} ${kb(size).padStart(9)}  (${kb(whole - size)} less)`)
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
