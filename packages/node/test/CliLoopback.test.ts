/**
 * The loopback receiver of `sign-in --browser`: it takes only the redirect that carries
 * the pending authorization's `state`; any other (a stray or forged `/callback`) gets 400
 * and the receiver keeps waiting for the real one.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Loopback from "../src/internal/cli/loopback.js"

const get = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(url)
    return { status: response.status, text: await response.text() }
  })

describe("the loopback receiver", () => {
  it.live("answers 400 to a redirect of another state and keeps waiting for the real one", () =>
    Effect.gen(function* () {
      const receiver = yield* Loopback.listen(0)
      const waiting = yield* Effect.forkChild(receiver.callback("expected-state"))
      const stray = yield* get(`${receiver.redirectUri}?error=x&state=wrong`)
      assert.strictEqual(stray.status, 400)
      const noState = yield* get(`${receiver.redirectUri}?code=forged`)
      assert.strictEqual(noState.status, 400)
      const real = `${receiver.redirectUri}?code=the-code&state=expected-state`
      const answer = Effect.runPromise(get(real))
      const callbackUrl = yield* Fiber.join(waiting)
      assert.strictEqual(new URL(callbackUrl).searchParams.get("code"), "the-code")
      yield* receiver.reply({ ok: true, text: "signed in" })
      assert.strictEqual((yield* Effect.promise(() => answer)).status, 200)
    }).pipe(Effect.scoped)
  )
})
