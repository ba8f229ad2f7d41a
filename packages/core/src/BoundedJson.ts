/**
 * JSON from outside with its nesting bounded before it is parsed. `JSON.parse`, schema
 * decoding and the formatting of their errors recurse once per level, so 10 KB of
 * `[[[…]]]` can overflow the stack; a linear scan of the brackets outside strings refuses
 * such text first. Cognito's answers, tokens, stored sessions and saved sign-ins nest a few
 * levels; the local Cognito's requests and state file about ten.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"

/**
 * The deepest nesting of arrays and objects accepted.
 *
 * @since 0.1.0
 */
export const maxDepth = 64

/**
 * Whether `text` nests arrays and objects no deeper than `max`: one pass over the brackets
 * outside strings, without parsing. Malformed text passes when it does not nest too deeply
 * (the parser refuses it next).
 *
 * @since 0.1.0
 */
export const within = (text: string, max: number = maxDepth): boolean => {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (inString) {
      if (code === 92)
        i++ // backslash: the next character is escaped
      else if (code === 34) inString = false
    } else if (code === 34) inString = true
    else if (code === 91 || code === 123) {
      if (++depth > max) return false
    } else if (code === 93 || code === 125) depth--
  }
  return true
}

/**
 * Why text is not a JSON value: not JSON at all, or nested deeper than {@link maxDepth}.
 *
 * @since 0.1.0
 */
export type Problem = "NotJson" | "TooDeep"

/**
 * `text` as a JSON value; never throws. Text nested deeper than {@link maxDepth} is refused
 * before it is parsed.
 *
 * @since 0.1.0
 */
export const decode = (text: string): Result.Result<unknown, Problem> => {
  if (!within(text)) return Result.fail("TooDeep")
  try {
    return Result.succeed(JSON.parse(text))
  } catch {
    return Result.fail("NotJson")
  }
}
