/**
 * The cases of the `TokenStore` conformance suite as plain data: a name and an Effect
 * that fails when the store under test breaks the contract. No test runner is needed,
 * so the same cases run under Vitest (`TokenStoreSuite`) and inside a browser page.
 *
 * @example
 * ```ts
 * import * as TokenStoreCases from "@effect-cognito/test-kit/TokenStoreCases"
 * import * as Effect from "effect/Effect"
 * import * as KeyValueStore from "effect/persistence/KeyValueStore"
 *
 * // A fresh, empty store for each case: here, one over an in-memory KeyValueStore.
 * const makeSubject = Effect.map(KeyValueStore.KeyValueStore, (kv) => TokenStoreCases.subject(kv)).pipe(
 *   Effect.provide(KeyValueStore.layerMemory)
 * )
 *
 * const failures = Effect.gen(function* () {
 *   const failed: Array<string> = []
 *   for (const testCase of TokenStoreCases.cases) {
 *     const outcome = yield* Effect.exit(Effect.scoped(testCase.run(makeSubject)))
 *     if (outcome._tag === "Failure") failed.push(testCase.name)
 *   }
 *   return failed
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as TokenStore from "@effect-cognito/core/TokenStore"
import type * as KeyValueStore from "effect/persistence/KeyValueStore"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"

/** A store under test, with raw access to what it wrote (to corrupt it as a user or a bug would). */
export interface Subject {
  readonly store: TokenStore.TokenStore.Service
  readonly raw: {
    readonly get: (key: string) => Effect.Effect<Option.Option<string>, unknown>
    readonly set: (key: string, value: string) => Effect.Effect<void, unknown>
  }
}

/** A subject over a `KeyValueStore`, under the given key. */
export const subject = (
  kv: KeyValueStore.KeyValueStore,
  key = "effect-cognito.us-east-1_Suite1.suiteclient.session"
): Subject => ({
  store: TokenStore.fromKeyValueStore(kv, key),
  raw: { get: (key) => Effect.map(kv.get(key), Option.fromNullishOr), set: kv.set }
})

/** A session with every field set, including characters a naive store mangles. */
export const sampleSession = (n = 1) =>
  new TokenStore.Session({
    username: `ålice-${n} ✓`,
    idToken: Redacted.make(`id.token.${n}`),
    accessToken: Redacted.make(`access.token.${n}`),
    refreshToken: Redacted.make(`refresh-${n}-"quoted"\n`),
    identityId: `us-east-1:00000000-0000-4000-8000-00000000000${n}`,
    clockSkewMillis: -7_200_000 + n
  })

/** A federated sign-in with every field set. */
export const sampleFederation = () =>
  new TokenStore.Federation({
    provider: "accounts.google.com",
    token: Redacted.make('google.id-token.✓"quoted"\n'),
    identityId: "us-east-1:00000000-0000-4000-8000-0000000000cc",
    customRoleArn: "arn:aws:iam::123456789012:role/Reader"
  })

/**
 * This client's device for a user, every field set, with characters a naive store mangles
 * (in the username, which also names the device's key, and in the device password).
 */
export const sampleDevice = (username = "ålice-1 ✓", n = 1) =>
  new TokenStore.StoredDevice({
    username,
    deviceKey: `us-east-1_00000000-0000-4000-8000-00000000000${n}`,
    deviceGroupKey: `-Yt4Ke9Bx${n}`,
    devicePassword: Redacted.make(`device-password-${n}-"quoted"\n✓`),
    confirmed: n % 2 === 1
  })

/** A broken expectation: what was expected and what was found. */
export class CaseFailure extends Data.TaggedError("CaseFailure")<{ readonly message: string }> {}

const expect = (condition: boolean, message: string): Effect.Effect<void, CaseFailure> =>
  condition ? Effect.void : Effect.fail(new CaseFailure({ message }))

const expectSame = (a: TokenStore.Session, b: TokenStore.Session) => {
  const fields: ReadonlyArray<readonly [string, unknown, unknown]> = [
    ["username", a.username, b.username],
    ["idToken", Redacted.value(a.idToken), Redacted.value(b.idToken)],
    ["accessToken", Redacted.value(a.accessToken), Redacted.value(b.accessToken)],
    ["refreshToken", Redacted.value(a.refreshToken), Redacted.value(b.refreshToken)],
    ["identityId", a.identityId, b.identityId],
    ["clockSkewMillis", a.clockSkewMillis, b.clockSkewMillis]
  ]
  const differing = fields.filter(([, x, y]) => x !== y).map(([name]) => name)
  return expect(differing.length === 0, `the loaded session differs in: ${differing.join(", ")}`)
}

const sameDevice = (loaded: Option.Option<TokenStore.StoredDevice>, saved: TokenStore.StoredDevice) =>
  expect(
    Option.isSome(loaded) &&
      loaded.value.username === saved.username &&
      loaded.value.deviceKey === saved.deviceKey &&
      loaded.value.deviceGroupKey === saved.deviceGroupKey &&
      Redacted.isRedacted(loaded.value.devicePassword) &&
      Redacted.value(loaded.value.devicePassword) === Redacted.value(saved.devicePassword) &&
      loaded.value.confirmed === saved.confirmed,
    `the device of ${saved.username} did not load as saved`
  )

const loadSome = (store: TokenStore.TokenStore.Service) =>
  Effect.flatMap(store.load, (loaded) =>
    Option.isSome(loaded) ? Effect.succeed(loaded.value) : Effect.fail(new CaseFailure({ message: "nothing loaded" }))
  )

/** Runs a load with a capturing logger; returns the result and the log lines. */
const logged = <A, E>(load: Effect.Effect<A, E>) => {
  const lines: Array<string> = []
  const logger = Logger.map(Logger.formatLogFmt, (line) => {
    lines.push(line)
  })
  return Effect.map(load.pipe(Effect.provide(Logger.layer([logger]))), (loaded) => ({
    loaded,
    lines
  }))
}

/** One conformance case. `run` builds its store with `make` (a fresh, empty store) and fails if the store misbehaves. */
export interface Case {
  readonly name: string
  readonly run: <E>(make: Effect.Effect<Subject, E, Scope.Scope>) => Effect.Effect<void, unknown, Scope.Scope>
}

const undecodable: ReadonlyArray<readonly [string, string]> = [
  ["garbage", "{not json"],
  ["an older version", JSON.stringify({ version: 0, session: { username: "a" } })],
  [
    "a hand-edited session missing its tokens",
    JSON.stringify({ version: 1, session: { username: "a", clockSkewMillis: 0 } })
  ],
  ["a value of the wrong type", JSON.stringify([1, 2, 3])]
]

/** Every case, in order. */
export const cases: ReadonlyArray<Case> = [
  {
    name: "loads nothing from an empty store",
    run: (make) =>
      Effect.gen(function* () {
        const { store } = yield* make
        yield* expect(Option.isNone(yield* store.load), "an empty store loaded a session")
      })
  },
  {
    name: "loads what it saved, every field intact",
    run: (make) =>
      Effect.gen(function* () {
        const { store } = yield* make
        yield* store.save(sampleSession(1))
        yield* expectSame(yield* loadSome(store), sampleSession(1))
      })
  },
  {
    name: "keeps only the last session saved",
    run: (make) =>
      Effect.gen(function* () {
        const { store } = yield* make
        yield* store.save(sampleSession(1))
        yield* store.save(sampleSession(2))
        yield* expectSame(yield* loadSome(store), sampleSession(2))
      })
  },
  {
    name: "writes the session as one versioned value under its key, tokens in no other key",
    run: (make) =>
      Effect.gen(function* () {
        const { store, raw } = yield* make
        yield* store.save(sampleSession(3))
        const stored = yield* raw.get(store.key)
        if (Option.isNone(stored)) return yield* new CaseFailure({ message: "no value under the store's key" })
        const parsed = JSON.parse(stored.value) as { version: number; session: { accessToken: string } }
        yield* expect(
          parsed.version === TokenStore.version,
          `version ${parsed.version}, expected ${TokenStore.version}`
        )
        yield* expect(parsed.session.accessToken === "access.token.3", "the access token is not stored as written")
      })
  },
  {
    name: "clears the session, and clearing an empty store is fine",
    run: (make) =>
      Effect.gen(function* () {
        const { store } = yield* make
        yield* store.clear
        yield* store.save(sampleSession(1))
        yield* store.clear
        yield* expect(Option.isNone(yield* store.load), "a session was loaded after clear")
      })
  },
  {
    name: "keeps the guest identity id apart from the session: saved, loaded, cleared on its own",
    run: (make) =>
      Effect.gen(function* () {
        const { store } = yield* make
        const identityId = "us-east-1:00000000-0000-4000-8000-0000000000aa"
        yield* expect(Option.isNone(yield* store.loadGuestIdentityId), "an empty store loaded a guest identity id")
        yield* store.saveGuestIdentityId(identityId)
        yield* store.save(sampleSession(5))
        const loaded = yield* store.loadGuestIdentityId
        yield* expect(
          Option.isSome(loaded) && loaded.value === identityId,
          "the guest identity id did not load as saved"
        )
        yield* store.clear
        yield* expect(Option.isSome(yield* store.loadGuestIdentityId), "clearing the session removed the guest id")
        yield* store.clearGuestIdentityId
        yield* expect(Option.isNone(yield* store.loadGuestIdentityId), "a guest identity id loaded after its clear")
      })
  },
  {
    name: "drops a guest identity id that does not decode, and logs it",
    run: (make) =>
      Effect.gen(function* () {
        const { store, raw } = yield* make
        const guestKey = `${store.key}.guest`
        yield* raw.set(guestKey, JSON.stringify({ version: 1, identityId: "not an identity id" }))
        const { loaded, lines } = yield* logged(store.loadGuestIdentityId)
        yield* expect(Option.isNone(loaded), "an undecodable guest identity id loaded")
        yield* expect(Option.isNone(yield* raw.get(guestKey)), "the bad guest identity id is not removed")
        yield* expect(
          lines.some((line) => line.includes("does not decode")),
          `no warning was logged: ${lines.join("\n")}`
        )
      })
  },
  {
    name: "keeps a federated sign-in apart from the session and the guest id: saved, loaded, cleared on its own",
    run: (make) =>
      Effect.gen(function* () {
        const { store } = yield* make
        yield* expect(Option.isNone(yield* store.loadFederation), "an empty store loaded a federated sign-in")
        const federation = sampleFederation()
        yield* store.saveFederation(federation)
        yield* store.save(sampleSession(6))
        yield* store.saveGuestIdentityId("us-east-1:00000000-0000-4000-8000-0000000000bb")
        const loaded = yield* store.loadFederation
        yield* expect(
          Option.isSome(loaded) &&
            loaded.value.provider === federation.provider &&
            Redacted.isRedacted(loaded.value.token) &&
            Redacted.value(loaded.value.token) === Redacted.value(federation.token) &&
            loaded.value.identityId === federation.identityId &&
            loaded.value.customRoleArn === federation.customRoleArn,
          "the federated sign-in did not load as saved"
        )
        yield* store.clear
        yield* store.clearGuestIdentityId
        yield* expect(
          Option.isSome(yield* store.loadFederation),
          "clearing the session or the guest id removed the federated sign-in"
        )
        yield* store.clearFederation
        yield* expect(Option.isNone(yield* store.loadFederation), "a federated sign-in loaded after its clear")
      })
  },
  {
    name: "drops a federated sign-in that does not decode, and logs it without its token",
    run: (make) =>
      Effect.gen(function* () {
        const { store, raw } = yield* make
        const key = `${store.key}.federation`
        const token = "federated-secret-token"
        yield* raw.set(
          key,
          JSON.stringify({ version: 1, federation: { provider: "accounts.google.com", token, identityId: "nope" } })
        )
        const { loaded, lines } = yield* logged(store.loadFederation)
        yield* expect(Option.isNone(loaded), "an undecodable federated sign-in loaded")
        yield* expect(Option.isNone(yield* raw.get(key)), "the bad federated sign-in is not removed")
        yield* expect(
          lines.some((line) => line.includes("does not decode")),
          `no warning was logged: ${lines.join("\n")}`
        )
        yield* expect(!lines.some((line) => line.includes(token)), "the log shows the token")
      })
  },
  {
    name: "keeps each user's device under its own key: saved, loaded, replaced, cleared on its own",
    run: (make) =>
      Effect.gen(function* () {
        const { store } = yield* make
        const alice = sampleDevice("ålice-1 ✓", 1)
        const bob = sampleDevice("bob@example.com", 2)
        yield* expect(Option.isNone(yield* store.loadDevice(alice.username)), "an empty store loaded a device")
        yield* store.saveDevice(alice)
        yield* store.saveDevice(bob)
        yield* sameDevice(yield* store.loadDevice(alice.username), alice)
        yield* sameDevice(yield* store.loadDevice(bob.username), bob)
        yield* expect(Option.isNone(yield* store.loadDevice("carol")), "another user loaded a device")
        // A user's new device replaces the old one.
        const again = sampleDevice(alice.username, 3)
        yield* store.saveDevice(again)
        yield* sameDevice(yield* store.loadDevice(alice.username), again)
        yield* store.clearDevice(alice.username)
        yield* expect(Option.isNone(yield* store.loadDevice(alice.username)), "a device loaded after its clear")
        yield* sameDevice(yield* store.loadDevice(bob.username), bob)
        // Clearing a device that is not there is fine.
        yield* store.clearDevice(alice.username)
      })
  },
  {
    name: "keeps a device when the session, the guest identity id and the federated sign-in are cleared",
    run: (make) =>
      Effect.gen(function* () {
        const { store } = yield* make
        const device = sampleDevice()
        yield* store.save(sampleSession(7))
        yield* store.saveGuestIdentityId("us-east-1:00000000-0000-4000-8000-0000000000dd")
        yield* store.saveFederation(sampleFederation())
        yield* store.saveDevice(device)
        yield* store.clear
        yield* store.clearGuestIdentityId
        yield* store.clearFederation
        yield* sameDevice(yield* store.loadDevice(device.username), device)
        yield* expect(Option.isNone(yield* store.load), "the session is still there after its clear")
      })
  },
  {
    name: "writes a device as one versioned value under its user's key, the password nowhere else",
    run: (make) =>
      Effect.gen(function* () {
        const { store, raw } = yield* make
        const device = sampleDevice()
        yield* store.save(sampleSession(8))
        yield* store.saveDevice(device)
        const key = TokenStore.deviceKeyFor(store.key, device.username)
        const stored = yield* raw.get(key)
        if (Option.isNone(stored)) return yield* new CaseFailure({ message: `no value under the device's key ${key}` })
        const parsed = JSON.parse(stored.value) as { version: number; device: { devicePassword: string } }
        yield* expect(
          parsed.version === TokenStore.version,
          `version ${parsed.version}, expected ${TokenStore.version}`
        )
        yield* expect(
          parsed.device.devicePassword === Redacted.value(device.devicePassword),
          "the device password is not stored as written"
        )
        const session = yield* raw.get(store.key)
        yield* expect(
          Option.isSome(session) && !session.value.includes("device-password"),
          "the session's value holds the device password"
        )
      })
  },
  {
    name: "drops a device that does not decode, and logs it without its password",
    run: (make) =>
      Effect.gen(function* () {
        const { store, raw } = yield* make
        const username = "ålice-1 ✓"
        const key = TokenStore.deviceKeyFor(store.key, username)
        const password = "device-secret-password"
        // A hand-edited record: its group key gone, its password still there.
        yield* raw.set(
          key,
          JSON.stringify({
            version: 1,
            device: { username, deviceKey: "us-east-1_x", devicePassword: password, confirmed: true }
          })
        )
        const { loaded, lines } = yield* logged(store.loadDevice(username))
        yield* expect(Option.isNone(loaded), "an undecodable device loaded")
        yield* expect(Option.isNone(yield* raw.get(key)), "the bad device is not removed")
        yield* expect(
          lines.some((line) => line.includes("does not decode")),
          `no warning was logged: ${lines.join("\n")}`
        )
        yield* expect(!lines.some((line) => line.includes(password)), "the log shows the device password")
        // The slot works afterwards.
        yield* store.saveDevice(sampleDevice(username))
        yield* sameDevice(yield* store.loadDevice(username), sampleDevice(username))
      })
  },
  {
    name: "drops a device found under another user's key, and logs it without its password",
    run: (make) =>
      Effect.gen(function* () {
        const { store, raw } = yield* make
        const bob = sampleDevice("bob@example.com", 2)
        yield* store.saveDevice(bob)
        const stored = yield* raw.get(TokenStore.deviceKeyFor(store.key, bob.username))
        if (Option.isNone(stored)) return yield* new CaseFailure({ message: "no value under bob's device key" })
        const aliceKey = TokenStore.deviceKeyFor(store.key, "alice")
        yield* raw.set(aliceKey, stored.value)
        const { loaded, lines } = yield* logged(store.loadDevice("alice"))
        yield* expect(Option.isNone(loaded), "alice loaded bob's device")
        yield* expect(Option.isNone(yield* raw.get(aliceKey)), "the misplaced device is not removed")
        yield* expect(lines.length > 0, "nothing was logged")
        yield* expect(
          !lines.some((line) => line.includes(Redacted.value(bob.devicePassword).slice(0, 17))),
          "the log shows the device password"
        )
        yield* sameDevice(yield* store.loadDevice(bob.username), bob)
      })
  },
  ...undecodable.map(
    ([what, value]): Case => ({
      name: `treats ${what} as signed out, removes it and logs it`,
      run: (make) =>
        Effect.gen(function* () {
          const { store, raw } = yield* make
          yield* raw.set(store.key, value)
          const { loaded, lines } = yield* logged(store.load)
          yield* expect(Option.isNone(loaded), "an undecodable value loaded as a session")
          yield* expect(Option.isNone(yield* raw.get(store.key)), "the bad value is not removed")
          yield* expect(
            lines.some((line) => line.includes("does not decode")),
            `no warning was logged: ${lines.join("\n")}`
          )
          // The store still works afterwards.
          yield* store.save(sampleSession(4))
          yield* expect(Option.isSome(yield* store.load), "the store does not work after removing the bad value")
        })
    })
  )
]
