/**
 * Text for a terminal: what clients chose (usernames, email addresses, attribute values)
 * reaches the developer's terminal only with its control characters escaped, JSON-style
 * (`\u001b` for ESC, `\n` for a line feed), so it can neither move the cursor, clear the
 * screen, set the window title, forge a line nor reorder what is shown (bidi controls).
 *
 * @internal
 */
import * as Redacted from "effect/Redacted"
import type * as LocalCognito from "../../LocalCognito.js"

/** C0 and C1 controls, DEL, the line and paragraph separators, bidi marks and overrides; and the backslash. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what it escapes
const unsafe = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\\]/g

const short: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\" }

/** `text` with every character a terminal would act on escaped (and backslashes doubled, so escapes are unambiguous). */
export const printable = (text: string): string =>
  text.replace(unsafe, (c) => short[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/** One line for a delivered code: medium, destination, pool, user, purpose and the code, each escaped. */
export const formatDelivery = ({ message, userPoolId }: LocalCognito.Delivery): string =>
  `${printable(message.medium)} to ${printable(message.destination)} (${printable(userPoolId)}, ${printable(message.username)}, ${printable(message.purpose)}): ${printable(Redacted.value(message.code))}`
