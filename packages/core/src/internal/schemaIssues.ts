/**
 * Schema failures by path and kind only: where a decoded value is wrong and how (missing,
 * not expected, not JSON, not as expected), never what it holds. Inputs are not reported
 * by the parser (no `reportInput`), and the JSON parser's own message (which quotes the
 * text it failed on) is never read.
 *
 * @internal
 */
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as SchemaIssue from "effect/SchemaIssue"
import * as Encoding from "./encoding.js"

/** What is wrong at a path. */
export type Kind = "Missing" | "Unexpected" | "NotJson" | "Invalid"

/** One problem: its path (empty for the whole value) and its kind. */
export interface Problem {
  readonly path: ReadonlyArray<PropertyKey>
  readonly kind: Kind
}

/** Does this encoding step say the text is not JSON (`Schema.fromJsonString`, `Schema.UnknownFromJsonString`)? */
const isJsonStep = (issue: SchemaIssue.Issue): boolean =>
  issue._tag === "InvalidValue" &&
  typeof issue.annotations?.expected === "string" &&
  issue.annotations.expected.includes("JSON")

/** The problems of an issue, depth first, in the order the parser found them. */
export const problems = (issue: SchemaIssue.Issue | Schema.SchemaError): ReadonlyArray<Problem> => {
  const out: Array<Problem> = []
  const walk = (node: SchemaIssue.Issue, path: ReadonlyArray<PropertyKey>): void => {
    switch (node._tag) {
      case "Pointer":
        walk(node.issue, [...path, ...node.path])
        return
      case "Composite":
        for (const inner of node.issues) walk(inner, path)
        return
      case "AnyOf":
        if (node.issues.length === 0) out.push({ path, kind: "Invalid" })
        else for (const inner of node.issues) walk(inner, path)
        return
      case "Encoding":
        if (isJsonStep(node.issue)) out.push({ path, kind: "NotJson" })
        else walk(node.issue, path)
        return
      case "MissingKey":
        out.push({ path, kind: "Missing" })
        return
      case "UnexpectedKey":
        out.push({ path, kind: "Unexpected" })
        return
      default:
        out.push({ path, kind: "Invalid" })
        return
    }
  }
  walk(Schema.isSchemaError(issue) ? issue.issue : issue, [])
  return out
}

/** A path as `a.b.0`, or `whole` for the value itself. */
export const showPath = (path: ReadonlyArray<PropertyKey>, whole: string): string =>
  path.length === 0 ? whole : path.map(String).join(".")

const problemKinds: Readonly<Record<Kind, string>> = {
  Missing: "is missing",
  Unexpected: "is not expected",
  NotJson: "is not JSON",
  Invalid: "is not as expected"
}

/**
 * What is wrong with a stored value, by path and kind only: never a value, nor the JSON
 * parser's message (it quotes the text it failed on). Whole issues up to about 500
 * characters, then how many more there are.
 */
export const describe = (error: Schema.SchemaError | SchemaIssue.Issue): string => {
  const issues = problems(error).map(({ kind, path }) => `${showPath(path, "the value")} ${problemKinds[kind]}`)
  const unique = [...new Set(issues)]
  const shown: Array<string> = []
  let length = 0
  for (const issue of unique) {
    if (shown.length > 0 && length + issue.length > 500) break
    shown.push(issue)
    length += issue.length + 2
  }
  const more = unique.length - shown.length
  return more === 0 ? shown.join("; ") : `${shown.join("; ")}; and ${more} more`
}

/**
 * A decoder of JSON text from outside (a stored session, a saved sign-in) through a
 * `Schema.fromJsonString` codec. Text nested deeper than {@link Encoding.maxJsonDepth} is
 * refused before it is parsed; the failure is {@link describe}'s sentence, by path and
 * kind, never the value.
 */
export const jsonTextDecoder = <A>(schema: Schema.Codec<A, string>): ((text: unknown) => Result.Result<A, string>) => {
  const decode = Schema.decodeUnknownExit(schema)
  return (text) => {
    if (typeof text === "string" && !Encoding.jsonDepthWithin(text))
      return Result.fail(`the value ${Encoding.describeJsonProblem("TooDeep")}`)
    const decoded = decode(text)
    if (Exit.isSuccess(decoded)) return Result.succeed(decoded.value)
    return Result.fail(
      Option.match(Exit.findErrorOption(decoded), { onNone: () => "the value is not as expected", onSome: describe })
    )
  }
}
