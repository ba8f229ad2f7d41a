/**
 * The local Cognito's `serveAction` option: a test holds an action before Cognito serves
 * it, or holds its answer after, until it releases it (how the Redis tests make a refresh
 * as slow as they need, without timers).
 */
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"

const listUserPools = (endpoint: string) =>
  Effect.promise(() =>
    fetch(endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AWSCognitoIdentityProviderService.ListUserPools"
      },
      body: JSON.stringify({ MaxResults: 10 })
    }).then((response) => response.status)
  )

/** A local Cognito that holds `ListUserPools` before or after serving it; `served` counts the serving. */
const holding = (when: "before" | "after") =>
  Effect.gen(function* () {
    const arrived = yield* Deferred.make<void>()
    const release = yield* Deferred.make<void>()
    const served = { count: 0 }
    const wait = Effect.andThen(Deferred.succeed(arrived, undefined), Deferred.await(release))
    const local = yield* LocalCognito.make({
      serveAction: (action, serve) => {
        if (action !== "ListUserPools") return serve
        const counted = Effect.tap(serve, () => Effect.sync(() => served.count++))
        return when === "before" ? Effect.andThen(wait, counted) : Effect.tap(counted, () => wait)
      }
    })
    return { local, arrived: Deferred.await(arrived), release: Deferred.succeed(release, undefined), served }
  })

describe("LocalCognito serveAction", () => {
  it.live("holds an action before Cognito serves it, until the test releases it", () =>
    Effect.gen(function* () {
      const { arrived, local, release, served } = yield* holding("before")
      const call = yield* Effect.forkChild(listUserPools(local.endpoint))
      yield* arrived
      assert.strictEqual(served.count, 0)
      yield* release
      assert.strictEqual(yield* Fiber.join(call), 200)
      assert.strictEqual(served.count, 1)
    })
  )

  it.live("holds the answer of an action Cognito served, until the test releases it", () =>
    Effect.gen(function* () {
      const { arrived, local, release, served } = yield* holding("after")
      const call = yield* Effect.forkChild(listUserPools(local.endpoint))
      yield* arrived
      assert.strictEqual(served.count, 1)
      assert.isUndefined(call.pollUnsafe(), "the client got its answer while it was held")
      yield* release
      assert.strictEqual(yield* Fiber.join(call), 200)
    })
  )
})
