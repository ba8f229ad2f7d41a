/**
 * Identity-pool credentials through `Auth` over TestCognito: caching and renewal by
 * `TestClock`, single flight, guests and their identity carried into a sign-in, sign-out,
 * restart, federated sign-in and its rejection, transient failures, and requests signed
 * (and bearer-authorized) through `Auth`.
 */
import * as Auth from "@effect-cognito/core/Auth"
import type * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as IdentityPool from "@effect-cognito/core/IdentityPool"
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import { SigV4Verifier, TestCognito } from "@effect-cognito/test-kit"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { atStart, confirmedUser, expectReason, password, signedIn } from "./fixtures.js"

const count = (action: TestCognito.Action) => Effect.flatMap(TestCognito.TestCognito, (c) => c.requestCount(action))
const counts = Effect.all({ getId: count("GetId"), getCredentials: count("GetCredentialsForIdentity") })

const loginProvider = Effect.map(TestCognito.TestCognito, (c) => c.config.loginProvider)

/** Tokens that outlive the credentials, so only the credentials' lifetime drives renewal. */
const longTokens = { tokenValidity: { accessToken: "1 day", idToken: "1 day" } } as const

const credentials = Effect.flatMap(Auth.Auth, (auth) => auth.getAWSCredentials())

describe("getAWSCredentials, signed in", () => {
  it.effect("gets an identity and credentials once, then serves them from the cache", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      const first = yield* credentials
      const again = yield* credentials
      assert.deepStrictEqual(yield* counts, { getId: 1, getCredentials: 1 })
      assert.strictEqual(again, first)
      assert.match(first.identityId, /^us-east-1:[0-9a-f-]{36}$/)
      assert.isTrue(Redacted.isRedacted(first.secretAccessKey) && Redacted.isRedacted(first.sessionToken))
      assert.deepStrictEqual(yield* auth.identityId, Option.some(first.identityId))
      const cognito = yield* TestCognito.TestCognito
      assert.deepStrictEqual(yield* cognito.identities, [
        { identityId: first.identityId, providers: [yield* loginProvider] }
      ])
      assert.strictEqual(yield* auth.userState, "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("renews the credentials the margin (default 5 minutes) before they expire, without a new GetId", () =>
    Effect.gen(function* () {
      yield* signedIn
      const first = yield* credentials
      yield* TestClock.adjust("54 minutes")
      assert.strictEqual(yield* credentials, first)
      yield* TestClock.adjust("1 minute")
      const renewed = yield* credentials
      assert.deepStrictEqual(yield* counts, { getId: 1, getCredentials: 2 })
      assert.notStrictEqual(renewed.accessKeyId, first.accessKeyId)
      assert.strictEqual(renewed.identityId, first.identityId)
      assert.isAbove(renewed.expiration.getTime(), first.expiration.getTime())
    }).pipe(Effect.provide(TestCognito.layer(longTokens)))
  )

  it.effect("honours a configured margin and credential lifetime", () =>
    Effect.gen(function* () {
      yield* signedIn
      const first = yield* credentials
      assert.strictEqual(first.expiration.getTime() - (yield* Clock.currentTimeMillis), 15 * 60_000)
      yield* TestClock.adjust("4 minutes")
      assert.strictEqual(yield* credentials, first)
      yield* TestClock.adjust("1 minute")
      assert.notStrictEqual((yield* credentials).accessKeyId, first.accessKeyId)
    }).pipe(
      Effect.provide(
        TestCognito.layer({
          ...longTokens,
          identityPool: { credentialsValidity: "15 minutes" },
          config: { credentialsRefreshMargin: "10 minutes" }
        })
      )
    )
  )

  it.effect("rejects a negative credentialsRefreshMargin when the layer is built", () =>
    Effect.gen(function* () {
      const error = yield* expectReason(
        Layer.build(TestCognito.layer({ config: { credentialsRefreshMargin: -1 } })).pipe(Effect.scoped),
        "InvalidConfig"
      )
      assert.include(error.message, "credentialsRefreshMargin")
    })
  )

  it.effect("sends exactly one GetId and one GetCredentialsForIdentity for 1000 concurrent cold callers", () =>
    Effect.gen(function* () {
      yield* signedIn
      const all = yield* Effect.all(
        Array.from({ length: 1000 }, () => credentials),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(yield* counts, { getId: 1, getCredentials: 1 })
      assert.strictEqual(new Set(all.map((c) => c.accessKeyId)).size, 1)
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("drops the credentials when the id token changes", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      const first = yield* credentials
      yield* auth.getTokens({ forceRefresh: true })
      const next = yield* credentials
      assert.notStrictEqual(next.accessKeyId, first.accessKeyId)
      assert.deepStrictEqual(yield* counts, { getId: 1, getCredentials: 2 })
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("refreshes expired tokens before asking the identity pool (it refuses expired id tokens)", () =>
    Effect.gen(function* () {
      yield* signedIn
      yield* TestClock.adjust("2 hours")
      const fresh = yield* credentials
      assert.isAbove(fresh.expiration.getTime(), yield* Clock.currentTimeMillis)
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("forceRefresh fetches new credentials for the same identity", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      const first = yield* credentials
      const forced = yield* auth.getAWSCredentials({ forceRefresh: true })
      assert.notStrictEqual(forced.accessKeyId, first.accessKeyId)
      assert.deepStrictEqual(yield* counts, { getId: 1, getCredentials: 2 })
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("signing out drops the credentials and the identity id; the next call is a guest's", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      const user = yield* credentials
      yield* auth.signOut()
      assert.deepStrictEqual(yield* auth.identityId, Option.none())
      const guest = yield* credentials
      assert.notStrictEqual(guest.identityId, user.identityId)
      assert.strictEqual(yield* auth.userState, "Guest")
      assert.deepStrictEqual(yield* counts, { getId: 2, getCredentials: 2 })
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a restart restores the identity id from the store and skips GetId", () =>
    Effect.gen(function* () {
      yield* signedIn
      const first = yield* credentials
      const restarted = yield* Auth.make
      assert.deepStrictEqual(yield* restarted.identityId, Option.some(first.identityId))
      const again = yield* restarted.getAWSCredentials()
      assert.strictEqual(again.identityId, first.identityId)
      assert.deepStrictEqual(yield* counts, { getId: 1, getCredentials: 2 })
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})

describe("getAWSCredentials, guests", () => {
  it.effect("signed out: guest credentials and the state Guest", () =>
    Effect.gen(function* () {
      yield* atStart
      const auth = yield* Auth.Auth
      const guest = yield* credentials
      assert.strictEqual(yield* auth.userState, "Guest")
      assert.deepStrictEqual(yield* auth.identityId, Option.some(guest.identityId))
      assert.strictEqual(yield* credentials, guest)
      assert.deepStrictEqual(yield* counts, { getId: 1, getCredentials: 1 })
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a sign-in carries the guest identity into GetCredentialsForIdentity, which links the login to it", () =>
    Effect.gen(function* () {
      yield* atStart
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const guest = yield* credentials
      yield* confirmedUser()
      yield* auth.signIn({ username: "alice", password })
      assert.strictEqual(yield* auth.userState, "SignedIn")
      const user = yield* credentials
      assert.strictEqual(user.identityId, guest.identityId)
      assert.notStrictEqual(user.accessKeyId, guest.accessKeyId)
      assert.deepStrictEqual(yield* counts, { getId: 1, getCredentials: 2 })
      assert.deepStrictEqual(yield* cognito.identities, [
        { identityId: guest.identityId, providers: [yield* loginProvider] }
      ])
      assert.deepStrictEqual(yield* auth.identityId, Option.some(guest.identityId))
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a guest identity is merged into the identity the user already has", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const user = yield* credentials
      yield* auth.signOut()
      const guest = yield* credentials
      yield* auth.signIn({ username: "alice", password })
      const merged = yield* credentials
      assert.notStrictEqual(guest.identityId, user.identityId)
      assert.strictEqual(merged.identityId, user.identityId)
      assert.deepStrictEqual(
        (yield* cognito.identities).map((i) => i.identityId),
        [user.identityId]
      )
      assert.deepStrictEqual(yield* auth.identityId, Option.some(user.identityId))
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a restart keeps the guest's identity: the same identity id, no second GetId", () =>
    Effect.gen(function* () {
      yield* atStart
      const guest = yield* credentials
      const restarted = yield* Auth.make
      assert.deepStrictEqual(yield* restarted.identityId, Option.some(guest.identityId))
      const again = yield* restarted.getAWSCredentials()
      assert.strictEqual(again.identityId, guest.identityId)
      assert.deepStrictEqual(yield* counts, { getId: 1, getCredentials: 2 })
      const cognito = yield* TestCognito.TestCognito
      assert.deepStrictEqual(
        (yield* cognito.identities).map((i) => i.identityId),
        [guest.identityId]
      )
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a sign-in takes the stored guest identity over; after sign-out a restart starts a new guest", () =>
    Effect.gen(function* () {
      yield* atStart
      const auth = yield* Auth.Auth
      const store = yield* TokenStore.TokenStore
      const guest = yield* credentials
      assert.deepStrictEqual(yield* store.loadGuestIdentityId, Option.some(guest.identityId))
      yield* confirmedUser()
      yield* auth.signIn({ username: "alice", password })
      assert.strictEqual((yield* credentials).identityId, guest.identityId)
      assert.deepStrictEqual(yield* store.loadGuestIdentityId, Option.none())
      yield* auth.signOut()
      const restarted = yield* Auth.make
      assert.deepStrictEqual(yield* restarted.identityId, Option.none())
      const next = yield* restarted.getAWSCredentials()
      assert.notStrictEqual(next.identityId, guest.identityId)
      assert.deepStrictEqual(yield* store.loadGuestIdentityId, Option.some(next.identityId))
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect(
    "a stored guest identity a sign-in linked since (another tab, a failed removal) is dropped for a new one",
    () =>
      Effect.gen(function* () {
        yield* atStart
        const auth = yield* Auth.Auth
        const store = yield* TokenStore.TokenStore
        const guest = yield* credentials
        yield* confirmedUser()
        yield* auth.signIn({ username: "alice", password })
        assert.strictEqual((yield* credentials).identityId, guest.identityId)
        // Another tab, still a guest, writes the id back after this tab's sign-in linked it.
        yield* store.saveGuestIdentityId(guest.identityId)
        yield* auth.signOut()
        const restarted = yield* Auth.make
        const next = yield* restarted.getAWSCredentials()
        assert.notStrictEqual(next.identityId, guest.identityId)
        assert.strictEqual(yield* restarted.userState, "Guest")
        assert.deepStrictEqual(yield* store.loadGuestIdentityId, Option.some(next.identityId))
        assert.deepStrictEqual(yield* counts, { getId: 2, getCredentials: 4 })
      }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a store that cannot keep the guest identity id costs nothing now: credentials, and a warning", () =>
    Effect.gen(function* () {
      yield* atStart
      const memory = new Map<string, string>()
      const refused = (key: string) => key.endsWith(".guest")
      const store = TokenStore.make(
        {
          get: (key) => Effect.succeed(Option.fromNullishOr(memory.get(key))),
          set: (key, value) =>
            refused(key)
              ? Effect.fail(TokenStore.storageError("write", "disk full"))
              : Effect.sync(() => void memory.set(key, value)),
          remove: (key) => Effect.sync(() => void memory.delete(key))
        },
        (yield* TokenStore.TokenStore).key
      )
      const lines: Array<string> = []
      const auth = yield* Auth.make.pipe(Effect.provideService(TokenStore.TokenStore, store))
      const guest = yield* auth
        .getAWSCredentials()
        .pipe(Effect.provide(Logger.layer([Logger.make(({ message }) => lines.push(String(message)))])))
      assert.strictEqual(yield* auth.userState, "Guest")
      assert.deepStrictEqual(yield* auth.identityId, Option.some(guest.identityId))
      assert.isTrue(
        lines.some((line) => line.includes("storing the guest identity id failed")),
        lines.join("\n")
      )
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a pool that refuses guests fails with NotSignedIn and leaves the state SignedOut", () =>
    Effect.gen(function* () {
      yield* atStart
      const auth = yield* Auth.Auth
      const error = yield* expectReason(credentials, "NotSignedIn")
      assert.strictEqual(yield* auth.userState, "SignedOut")
      assert.include(error.message, "refuses guests")
    }).pipe(Effect.provide(TestCognito.layer({ identityPool: { allowUnauthenticated: false } })))
  )
})

/** Auth over a TestCognito pool whose `IdentityPool` service is left out of the context. */
const withoutIdentityPool = Layer.provideMerge(
  TestCognito.layerAuth(),
  Layer.effectContext(
    Effect.map(
      Effect.context<
        TestCognito.TestCognito | IdentityProvider.IdentityProvider | IdentityPool.IdentityPool | AuthConfig.AuthConfig
      >(),
      Context.omit(IdentityPool.IdentityPool)
    )
  ).pipe(Layer.provide(TestCognito.layerCognito()))
)

describe("getAWSCredentials without an identity pool", () => {
  it.effect("fails with InvalidConfig when no identityPoolId is configured", () =>
    Effect.gen(function* () {
      yield* signedIn
      const error = yield* expectReason(credentials, "InvalidConfig")
      assert.include(error.message, "identityPoolId")
    }).pipe(Effect.provide(TestCognito.layer({ identityPool: false })))
  )

  it.effect("fails with InvalidConfig when no IdentityPool service is provided", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      const error = yield* expectReason(auth.getAWSCredentials(), "InvalidConfig")
      assert.include(error.message, "IdentityPool")
      yield* expectReason(
        auth.federatedSignIn({ provider: "accounts.google.com", token: Redacted.make("t") }),
        "InvalidConfig"
      )
    }).pipe(Effect.provide(withoutIdentityPool))
  )
})

describe("federatedSignIn", () => {
  const google = "accounts.google.com"
  const valid = new Set(["google-token-1"])
  const federated = {
    identityPool: {
      federatedProviders: { [google]: (token: string) => (valid.has(token) ? "google-user-1" : undefined) }
    }
  } as const

  it.effect("signs in to the identity pool with the provider's token; the state is SignedIn", () =>
    Effect.gen(function* () {
      yield* atStart
      valid.add("google-token-1")
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const role = "arn:aws:iam::123456789012:role/Reader"
      const result = yield* auth.federatedSignIn({
        provider: google,
        token: Redacted.make("google-token-1"),
        customRoleArn: role
      })
      assert.strictEqual(yield* auth.userState, "SignedIn")
      assert.isTrue(yield* auth.isSignedIn)
      assert.deepStrictEqual(yield* auth.username, Option.none())
      assert.deepStrictEqual(yield* auth.identityId, Option.some(result.identityId))
      assert.strictEqual(yield* credentials, result)
      assert.deepStrictEqual(yield* cognito.identities, [{ identityId: result.identityId, providers: [google] }])
      assert.strictEqual((yield* cognito.issuedCredentials)[0]?.roleArn, role)
      yield* auth.signOut()
      assert.strictEqual(yield* auth.userState, "SignedOut")
      assert.isFalse(yield* auth.isSignedIn)
      assert.deepStrictEqual(yield* auth.identityId, Option.none())
    }).pipe(Effect.provide(TestCognito.layer(federated)))
  )

  it.effect("a token the pool rejects at sign-in fails with NotAuthorized and changes nothing", () =>
    Effect.gen(function* () {
      yield* atStart
      const auth = yield* Auth.Auth
      yield* expectReason(auth.federatedSignIn({ provider: google, token: Redacted.make("forged") }), "NotAuthorized")
      yield* expectReason(
        auth.federatedSignIn({ provider: "graph.facebook.com", token: Redacted.make("x") }),
        "NotAuthorized"
      )
      assert.strictEqual(yield* auth.userState, "SignedOut")
      assert.isFalse(yield* auth.isSignedIn)
      assert.deepStrictEqual(yield* auth.identityId, Option.none())
    }).pipe(Effect.provide(TestCognito.layer(federated)))
  )

  it.effect("a token rejected later ends the federated sign-in: SignedOutFederatedTokensInvalid", () =>
    Effect.gen(function* () {
      yield* atStart
      valid.add("google-token-2")
      const auth = yield* Auth.Auth
      yield* auth.federatedSignIn({ provider: google, token: Redacted.make("google-token-2") })
      valid.delete("google-token-2")
      yield* TestClock.adjust("56 minutes")
      yield* expectReason(credentials, "SessionExpired")
      assert.strictEqual(yield* auth.userState, "SignedOutFederatedTokensInvalid")
      assert.isFalse(yield* auth.isSignedIn)
      assert.deepStrictEqual(yield* auth.identityId, Option.none())
    }).pipe(Effect.provide(TestCognito.layer(federated)))
  )

  it.effect("transient identity-pool failures never end a federated sign-in", () =>
    Effect.gen(function* () {
      yield* atStart
      valid.add("google-token-3")
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const first = yield* auth.federatedSignIn({ provider: google, token: Redacted.make("google-token-3") })
      yield* TestClock.adjust("61 minutes")
      yield* cognito.failNext("GetCredentialsForIdentity", "Transport")
      yield* expectReason(credentials, "Transport")
      assert.strictEqual(yield* auth.userState, "SignedIn")
      const renewed = yield* credentials
      assert.strictEqual(renewed.identityId, first.identityId)
    }).pipe(Effect.provide(TestCognito.layer(federated)))
  )

  it.effect("a restart finds the federated user signed in: the same identity, no GetId, no new sign-in", () =>
    Effect.gen(function* () {
      yield* atStart
      valid.add("google-token-4")
      const auth = yield* Auth.Auth
      const store = yield* TokenStore.TokenStore
      const role = "arn:aws:iam::123456789012:role/Reader"
      const first = yield* auth.federatedSignIn({
        provider: google,
        token: Redacted.make("google-token-4"),
        customRoleArn: role
      })
      const stored = yield* store.loadFederation
      assert.isTrue(Option.isSome(stored))
      if (Option.isSome(stored)) {
        assert.strictEqual(stored.value.identityId, first.identityId)
        assert.strictEqual(Redacted.value(stored.value.token), "google-token-4")
      }
      const restarted = yield* Auth.make
      assert.strictEqual(yield* restarted.userState, "SignedIn")
      assert.isTrue(yield* restarted.isSignedIn)
      assert.deepStrictEqual(yield* restarted.identityId, Option.some(first.identityId))
      const again = yield* restarted.getAWSCredentials()
      assert.strictEqual(again.identityId, first.identityId)
      assert.deepStrictEqual(yield* counts, { getId: 1, getCredentials: 2 })
      const cognito = yield* TestCognito.TestCognito
      assert.strictEqual((yield* cognito.issuedCredentials)[1]?.roleArn, role)
      // Signing out there ends it for the next start too.
      yield* restarted.signOut()
      assert.deepStrictEqual(yield* store.loadFederation, Option.none())
      const third = yield* Auth.make
      assert.strictEqual(yield* third.userState, "SignedOut")
      assert.isFalse(yield* third.isSignedIn)
    }).pipe(Effect.provide(TestCognito.layer(federated)))
  )

  it.effect("a token the pool rejects after a restart signs the user out for good", () =>
    Effect.gen(function* () {
      yield* atStart
      valid.add("google-token-5")
      const auth = yield* Auth.Auth
      const store = yield* TokenStore.TokenStore
      yield* auth.federatedSignIn({ provider: google, token: Redacted.make("google-token-5") })
      valid.delete("google-token-5")
      const restarted = yield* Auth.make
      assert.strictEqual(yield* restarted.userState, "SignedIn")
      yield* expectReason(restarted.getAWSCredentials(), "SessionExpired")
      assert.strictEqual(yield* restarted.userState, "SignedOutFederatedTokensInvalid")
      assert.deepStrictEqual(yield* store.loadFederation, Option.none())
      assert.strictEqual(yield* (yield* Auth.make).userState, "SignedOut")
    }).pipe(Effect.provide(TestCognito.layer(federated)))
  )

  it.effect("a user-pool session takes over: the stored federated sign-in is dropped, now or at the next start", () =>
    Effect.gen(function* () {
      yield* atStart
      valid.add("google-token-6")
      const auth = yield* Auth.Auth
      const store = yield* TokenStore.TokenStore
      const federatedIdentity = yield* auth.federatedSignIn({
        provider: google,
        token: Redacted.make("google-token-6")
      })
      yield* confirmedUser()
      yield* auth.signIn({ username: "alice", password })
      const user = yield* credentials
      assert.notStrictEqual(user.identityId, federatedIdentity.identityId)
      assert.deepStrictEqual(yield* store.loadFederation, Option.none())
      // Written back behind its back (another tab, a failed removal): the next start drops it.
      yield* store.saveFederation(
        new TokenStore.Federation({
          provider: google,
          token: Redacted.make("google-token-6"),
          identityId: federatedIdentity.identityId
        })
      )
      const restarted = yield* Auth.make
      assert.strictEqual(yield* restarted.userState, "SignedIn")
      assert.deepStrictEqual(yield* restarted.username, Option.some("alice"))
      assert.deepStrictEqual(yield* store.loadFederation, Option.none())
    }).pipe(Effect.provide(TestCognito.layer(federated)))
  )

  it.effect("a new federated sign-in the pool refuses drops the stored one", () =>
    Effect.gen(function* () {
      yield* atStart
      valid.add("google-token-7")
      const auth = yield* Auth.Auth
      const store = yield* TokenStore.TokenStore
      yield* auth.federatedSignIn({ provider: google, token: Redacted.make("google-token-7") })
      yield* expectReason(auth.federatedSignIn({ provider: google, token: Redacted.make("forged") }), "NotAuthorized")
      assert.isFalse(yield* auth.isSignedIn)
      assert.deepStrictEqual(yield* store.loadFederation, Option.none())
      assert.strictEqual(yield* (yield* Auth.make).userState, "SignedOut")
    }).pipe(Effect.provide(TestCognito.layer(federated)))
  )

  /** A store over a Map whose `remove` and `get` can be slowed down or made to fail, per key suffix. */
  const controlledStore = (
    key: string,
    behaviour: {
      readonly slowRemove?: string
      readonly failRemove?: string
      readonly failGetOnce?: string
    }
  ) => {
    const memory = new Map<string, string>()
    let getFailed = false
    const store = TokenStore.make(
      {
        get: (k) =>
          behaviour.failGetOnce !== undefined && k.endsWith(behaviour.failGetOnce) && !getFailed
            ? Effect.fail(TokenStore.storageError("read", "disk busy")).pipe(
                Effect.ensuring(Effect.sync(() => (getFailed = true)))
              )
            : Effect.succeed(Option.fromNullishOr(memory.get(k))),
        set: (k, value) => Effect.sync(() => void memory.set(k, value)),
        remove: (k) =>
          behaviour.failRemove !== undefined && k.endsWith(behaviour.failRemove)
            ? Effect.fail(TokenStore.storageError("remove", "disk full"))
            : behaviour.slowRemove !== undefined && k.endsWith(behaviour.slowRemove)
              ? Effect.andThen(
                  Effect.sleep("1 second"),
                  Effect.sync(() => void memory.delete(k))
                )
              : Effect.sync(() => void memory.delete(k))
      },
      key
    )
    return { store, memory }
  }

  it.effect("a sign-out while the first federated fetch is still storing stays a sign-out, after a restart too", () =>
    Effect.gen(function* () {
      yield* atStart
      valid.add("google-token-8")
      const { store } = controlledStore((yield* TokenStore.TokenStore).key, { slowRemove: ".guest" })
      const auth = yield* Auth.make.pipe(Effect.provideService(TokenStore.TokenStore, store))
      // A guest first, so the federated sign-in takes the guest identity over and removes its id (slowly).
      yield* auth.getAWSCredentials()
      const signingIn = yield* Effect.forkChild(
        auth.federatedSignIn({ provider: google, token: Redacted.make("google-token-8") })
      )
      yield* TestClock.adjust("500 millis")
      yield* auth.signOut()
      assert.strictEqual(yield* auth.userState, "SignedOut")
      yield* TestClock.adjust("1 second")
      const outcome = yield* Fiber.await(signingIn)
      assert.isTrue(Exit.isFailure(outcome), "the interrupted federated sign-in reported success")
      assert.strictEqual(yield* auth.userState, "SignedOut")
      assert.isFalse(yield* auth.isSignedIn)
      assert.deepStrictEqual(yield* store.loadFederation, Option.none())
      const restarted = yield* Auth.make.pipe(Effect.provideService(TokenStore.TokenStore, store))
      assert.strictEqual(yield* restarted.userState, "SignedOut")
    }).pipe(Effect.provide(TestCognito.layer(federated)))
  )

  it.effect("a stored federated sign-in that cannot be removed fails the sign-out with Storage, signed out here", () =>
    Effect.gen(function* () {
      yield* atStart
      valid.add("google-token-9")
      const { store } = controlledStore((yield* TokenStore.TokenStore).key, { failRemove: ".federation" })
      const auth = yield* Auth.make.pipe(Effect.provideService(TokenStore.TokenStore, store))
      yield* auth.federatedSignIn({ provider: google, token: Redacted.make("google-token-9") })
      const error = yield* expectReason(auth.signOut(), "Storage")
      assert.notInclude(error.message, "google-token-9")
      assert.strictEqual(yield* auth.userState, "SignedOut")
      assert.isFalse(yield* auth.isSignedIn)
    }).pipe(Effect.provide(TestCognito.layer(federated)))
  )

  it.effect("a stored federated sign-in that could not be read at start is still removed by a sign-out", () =>
    Effect.gen(function* () {
      yield* atStart
      valid.add("google-token-10")
      const { store, memory } = controlledStore((yield* TokenStore.TokenStore).key, { failGetOnce: ".federation" })
      yield* store.saveFederation(
        new TokenStore.Federation({
          provider: google,
          token: Redacted.make("google-token-10"),
          identityId: "us-east-1:00000000-0000-4000-8000-000000000010"
        })
      )
      const auth = yield* Auth.make.pipe(Effect.provideService(TokenStore.TokenStore, store))
      assert.strictEqual(yield* auth.userState, "SignedOut")
      yield* auth.signOut()
      assert.isFalse(
        [...memory.keys()].some((k) => k.endsWith(".federation")),
        "the unread copy is still stored"
      )
      const restarted = yield* Auth.make.pipe(Effect.provideService(TokenStore.TokenStore, store))
      assert.strictEqual(yield* restarted.userState, "SignedOut")
    }).pipe(Effect.provide(TestCognito.layer(federated)))
  )

  it.effect("refuses a federated sign-in while a user-pool user is signed in", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      yield* expectReason(
        auth.federatedSignIn({ provider: google, token: Redacted.make("google-token-1") }),
        "AlreadySignedIn"
      )
    }).pipe(Effect.provide(TestCognito.layer(federated)))
  )
})

describe("transient identity-pool failures", () => {
  it.effect("serve the cached credentials while they are valid, and never sign anyone out", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const first = yield* credentials
      yield* TestClock.adjust("57 minutes")
      yield* cognito.failNext("GetCredentialsForIdentity", "InternalError")
      assert.strictEqual(yield* credentials, first)
      yield* TestClock.adjust("4 minutes")
      yield* cognito.failNext("GetCredentialsForIdentity", "TooManyRequests")
      yield* expectReason(credentials, "TooManyRequests")
      assert.strictEqual(yield* auth.userState, "SignedIn")
      assert.isTrue(yield* auth.isSignedIn)
      assert.notStrictEqual((yield* credentials).accessKeyId, first.accessKeyId)
    }).pipe(Effect.provide(TestCognito.layer(longTokens)))
  )

  it.effect("a failed cold GetId fails every waiting caller once and the next call succeeds", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      yield* cognito.failNext("GetId", "Transport")
      const results = yield* Effect.all(
        Array.from({ length: 10 }, () => Effect.result(credentials)),
        {
          concurrency: "unbounded"
        }
      )
      assert.isTrue(results.every((r) => r._tag === "Failure" && r.failure.reason === "Transport"))
      assert.strictEqual(yield* count("GetId"), 1)
      yield* credentials
      assert.strictEqual(yield* auth.userState, "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})

describe("requests through Auth", () => {
  /** A server that checks each request's SigV4 signature against the pool's issued credentials. */
  const verifyingServer = (cognito: TestCognito.TestCognito.Service, answers: Array<number>) =>
    HttpClient.make((request, url) =>
      Effect.gen(function* () {
        const headers = request.headers
        const accessKeyId = /Credential=([^/]+)\//.exec(headers.authorization ?? "")?.[1] ?? ""
        const issued = yield* Effect.orDie(cognito.credentialsOf(accessKeyId))
        const verdict = yield* SigV4Verifier.verify(
          {
            method: request.method,
            url: url.href,
            // The transport adds Host; a server sees it.
            headers: { ...headers, host: url.host },
            body: request.body._tag === "Uint8Array" ? request.body.body : undefined
          },
          { accessKeyId, ...issued, service: "execute-api", region: "us-east-1" }
        )
        const forced = answers.shift()
        const status = verdict._tag === "Valid" ? (forced ?? 200) : 401
        const body =
          status === 403 ? JSON.stringify({ message: "The security token included in the request is expired" }) : "ok"
        return HttpClientResponse.fromWeb(
          request,
          new Response(body, {
            status,
            headers: status === 403 ? { "x-amzn-errortype": "ExpiredTokenException" } : {}
          })
        )
      })
    )

  it.effect("signedHttpClient signs with the user's credentials; an expired-token answer renews them once", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const api = auth.signedHttpClient({ service: "execute-api", region: "us-east-1" })(
        verifyingServer(cognito, [200, 403])
      )
      const post = HttpClientRequest.post("https://api.example.com/prod/items?b=2&a=1").pipe(
        HttpClientRequest.bodyText('{"name":"x"}', "application/json")
      )
      assert.strictEqual((yield* api.execute(post)).status, 200)
      assert.strictEqual((yield* api.execute(post)).status, 200)
      assert.deepStrictEqual(yield* counts, { getId: 1, getCredentials: 2 })
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("bearerHttpClient sends the access token and refreshes it once on a 401", () =>
    Effect.gen(function* () {
      const tokens = yield* signedIn
      const auth = yield* Auth.Auth
      const seen: Array<string> = []
      const server = HttpClient.make((request) =>
        Effect.sync(() => {
          seen.push(request.headers.authorization ?? "")
          return HttpClientResponse.fromWeb(request, new Response("", { status: seen.length === 1 ? 401 : 200 }))
        })
      )
      const api = auth.bearerHttpClient({ token: "access" })(server)
      assert.strictEqual((yield* api.get("https://api.example.com/me")).status, 200)
      const refreshed = yield* auth.getTokens()
      assert.deepStrictEqual(seen, [
        `Bearer ${Redacted.value(tokens.accessToken)}`,
        `Bearer ${Redacted.value(refreshed.accessToken)}`
      ])
      assert.notStrictEqual(Redacted.value(refreshed.accessToken), Redacted.value(tokens.accessToken))
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("bearerHttpClient: 20 requests refused with the same token cause one refresh, not one each", () =>
    Effect.gen(function* () {
      const tokens = yield* signedIn
      const auth = yield* Auth.Auth
      const old = `Bearer ${Redacted.value(tokens.accessToken)}`
      const callers = 20
      // Every request with the old token is held until all have arrived, then refused one at a
      // time, each once the one before it went through again: the retries come after one
      // another's refresh, as the 401s of a busy API do.
      const allArrived = yield* Deferred.make<void>()
      let arrived = 0
      const accepted: Array<string> = []
      const server = HttpClient.make((request) =>
        Effect.gen(function* () {
          const authorization = request.headers.authorization ?? ""
          if (authorization === old) {
            const order = arrived++
            if (arrived === callers) yield* Deferred.succeed(allArrived, undefined)
            yield* Deferred.await(allArrived)
            while (accepted.length < order) yield* Effect.yieldNow
            return HttpClientResponse.fromWeb(request, new Response("", { status: 401 }))
          }
          accepted.push(authorization)
          return HttpClientResponse.fromWeb(request, new Response("", { status: 200 }))
        })
      )
      const api = auth.bearerHttpClient({ token: "access" })(server)
      const statuses = yield* Effect.all(
        Array.from({ length: callers }, () => Effect.map(api.get("https://api.example.com/me"), (r) => r.status)),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(
        statuses,
        Array.from({ length: callers }, () => 200)
      )
      assert.strictEqual(new Set(accepted).size, 1, "one refreshed token for every retry")
      assert.strictEqual(accepted[0], `Bearer ${Redacted.value((yield* auth.getTokens()).accessToken)}`)
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})
