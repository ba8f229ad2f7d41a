/**
 * Schema failures by path and kind only: where a decoded value is wrong and how (missing,
 * not expected, not JSON, not as expected), never what it holds. Inputs are not reported
 * by the parser (no `reportInput`), and the JSON parser's own message (which quotes the
 * text it failed on) is never read.
 *
 * @internal
 */
import * as Schema from "effect/Schema"
import type * as SchemaIssue from "effect/SchemaIssue"

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
