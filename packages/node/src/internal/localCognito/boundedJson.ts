/**
 * JSON from outside (request bodies, the state file) with its nesting bounded before it is
 * decoded: a body of `[[[…]]]` thousands deep is refused by a linear scan, so neither
 * `JSON.parse` nor the schema decoding (and the formatting of its errors), which recurse
 * once per level, ever sees it. Cognito's requests nest a few levels and the state file
 * about ten, far below the bound.
 *
 * @internal
 */

/** The deepest nesting of arrays and objects accepted. */
export const maxDepth = 64

/**
 * Whether `text` opens more than `limit` arrays or objects inside one another (brackets
 * inside strings do not count). A scan of the text, not a parse: malformed JSON is left
 * to `JSON.parse`.
 */
export const nestsDeeperThan = (text: string, limit: number = maxDepth): boolean => {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // a backslash: the next character is escaped
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

/** What `parse` found. */
export type Parsed =
  | { readonly _tag: "Json"; readonly value: unknown }
  | { readonly _tag: "TooDeep" }
  | { readonly _tag: "NotJson" }

/** `text` as JSON, unless it nests deeper than `maxDepth` or is not JSON. */
export const parse = (text: string): Parsed => {
  if (nestsDeeperThan(text)) return { _tag: "TooDeep" }
  try {
    return { _tag: "Json", value: JSON.parse(text) }
  } catch {
    return { _tag: "NotJson" }
  }
}
