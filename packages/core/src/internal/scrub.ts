/**
 * Scrubbing echoed secrets: a server may echo a request's secrets in its error messages
 * (emulators do), escaped as it wrote them. Each secret is looked for as it is,
 * JSON-escaped (minimal and ASCII-only, once and twice) and as Python writes it (`repr`
 * and `ascii`), and replaced with `<redacted>`.
 *
 * @internal
 */

const hex = (code: number, width: number, upper: boolean) => {
  const digits = code.toString(16).padStart(width, "0")
  return upper ? digits.toUpperCase() : digits
}

/** A JSON string's content; `ascii` escapes every non-ASCII character as `\\uXXXX`, as Python's json does. */
const jsonEscaped = (value: string, ascii: boolean, upper: boolean): string => {
  const minimal = JSON.stringify(value).slice(1, -1)
  if (!ascii && !upper) return minimal
  let out = ""
  for (const char of minimal) {
    const code = char.codePointAt(0)!
    if (code < 0x80) out += char
    else if (!ascii) out += char
    else for (let i = 0; i < char.length; i++) out += `\\u${hex(char.charCodeAt(i), 4, upper)}`
  }
  // Escapes JSON.stringify wrote itself (control characters, lone surrogates) in the asked case.
  return out.replace(
    /\\u([0-9a-fA-F]{4})/g,
    (_, digits: string) => `\\u${upper ? digits.toUpperCase() : digits.toLowerCase()}`
  )
}

const pythonNamedEscapes: Readonly<Record<string, string>> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" }

/** A Python `repr` (or, with `ascii`, `ascii()`) of a string, without its quotes. */
const pythonEscaped = (value: string, ascii: boolean, escapeSingleQuote: boolean): string => {
  let out = ""
  for (const char of value) {
    const code = char.codePointAt(0)!
    const named = pythonNamedEscapes[char]
    if (named !== undefined) out += named
    else if (char === "'" && escapeSingleQuote) out += "\\'"
    else if (code >= 0x20 && code < 0x7f) out += char
    else if (!ascii && code >= 0x80 && !/[\p{C}\p{Z}]/u.test(char)) out += char
    else if (code < 0x100) out += `\\x${hex(code, 2, false)}`
    else if (code < 0x10000) out += `\\u${hex(code, 4, false)}`
    else out += `\\U${hex(code, 8, false)}`
  }
  return out
}

/** The forms in which a server may echo a secret: as it is, JSON-escaped, as Python prints it. */
export const secretForms = (secret: string): ReadonlyArray<string> => {
  const forms = new Set<string>([secret])
  for (const ascii of [false, true]) {
    for (const upper of [false, true]) {
      const once = jsonEscaped(secret, ascii, upper)
      forms.add(once)
      forms.add(jsonEscaped(once, ascii, upper))
    }
    for (const escapeSingleQuote of [false, true]) forms.add(pythonEscaped(secret, ascii, escapeSingleQuote))
  }
  forms.delete("")
  return [...forms]
}

/** Replaces every occurrence of a secret, in any of its {@link secretForms}, in a server's message. */
export const scrub = (message: string, secrets: ReadonlyArray<string>): string => {
  let out = message
  // Longest first, so a secret (or form) that contains another is replaced whole.
  for (const form of secrets.flatMap(secretForms).sort((a, b) => b.length - a.length))
    out = out.split(form).join("<redacted>")
  return out
}
