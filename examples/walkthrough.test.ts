/**
 * The main job as a user runs it: `npm start` (the README's first command) in a child
 * process, outside Vitest. It must exit 0, print every step and show no secret.
 */
import { assert, describe, it } from "@effect/vitest"
import { explain, run } from "../test/userShell.js"

const steps = [
  "== Sign up with attributes",
  "== Re-send the code, then confirm with the one in the mailbox",
  "confirmed",
  "== Sign in with SRP (the password never leaves the process)",
  "result: SignedIn",
  "== Refresh the tokens",
  "== AWS credentials from the identity pool, and a signed request",
  "signed GET: HTTP 200, signature Valid",
  "== Change the password, then sign out on this device",
  "== SMS MFA",
  "SMS code sent to",
  "== Global sign-out (every device)",
  "signed out everywhere",
  "== TOTP MFA",
  "challenge: SoftwareTokenMfa",
  "== An admin-created user sets a new password",
  "challenge: NewPasswordRequired",
  "== Forgot password",
  "== What Cognito saw",
  "walkthrough complete"
]

const secrets = ["Abc@123!x", "Xyz#789!q", "Reset#2026!", "Temp@1234", "Strong@1234"]

describe("npm start", () => {
  it("runs the walkthrough of every flow, in order, exits 0 and prints no secret", { timeout: 120_000 }, async () => {
    const result = await run("npm", ["start"])
    assert.strictEqual(result.code, 0, explain("npm start", result))
    let from = 0
    for (const step of steps) {
      const at = result.stdout.indexOf(step, from)
      assert.isAtLeast(at, 0, `"${step}" is missing (or out of order) in:\n${result.stdout}`)
      from = at + step.length
    }
    assert.include(result.stdout, '"<redacted>"')
    const requests = /(\d+) requests: /.exec(result.stdout)
    assert.isAbove(Number(requests?.[1]), 20)
    for (const secret of secrets) {
      assert.notInclude(result.stdout, secret)
      assert.notInclude(result.stderr, secret)
    }
  })
})
