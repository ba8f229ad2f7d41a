import { mkdtemp, readdir, readFile, stat } from "node:fs/promises"
import { homedir, tmpdir } from "node:os"
import { join } from "node:path"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import { NodeAuth, NodeTokenStore } from "@effect-cognito/node"
import * as TokenStoreSuite from "@effect-cognito/test-kit/TokenStoreSuite"
import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

const valid: Record<string, string> = {
  COGNITO_REGION: "eu-west-1",
  COGNITO_USER_POOL_ID: "eu-west-1_AbCdEf123",
  COGNITO_CLIENT_ID: "client1",
  COGNITO_CLIENT_SECRET: "the-client-secret",
  COGNITO_IDENTITY_POOL_ID: "eu-west-1:12345678-1234-1234-1234-123456789abc",
  COGNITO_ENDPOINT: "http://127.0.0.1:9229",
  COGNITO_IDENTITY_ENDPOINT: "http://127.0.0.1:9230/",
  COGNITO_AUTH_SESSION_VALIDITY: "15 minutes"
}

const without = (...names: ReadonlyArray<string>) =>
  Object.fromEntries(Object.entries(valid).filter(([name]) => !names.includes(name)))

/**
 * A provider over these values, as `ConfigProvider.fromMap` read them: a `.` in a name
 * nests it (`ADMIN.X` is `X` under `ADMIN`), and an empty string is a value.
 */
const provider = (values: Record<string, string>) => {
  const root: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(values)) {
    const path = name.split(".")
    let at = root
    for (const key of path.slice(0, -1)) {
      at[key] ??= {}
      at = at[key] as Record<string, unknown>
    }
    at[path.at(-1)!] = value
  }
  return ConfigProvider.fromUnknown(root, { preserveEmptyStrings: true })
}

/** The validated configuration `NodeAuth.layerConfig` builds from these variables. */
const load = (
  values: Record<string, string>,
  options: NodeAuth.Options & { config?: Config.Config<AuthConfig.Input> } = {}
) =>
  AuthConfig.AuthConfig.pipe(
    Effect.provide(NodeAuth.layerConfig(options)),
    Effect.provideService(ConfigProvider.ConfigProvider, provider(values))
  )

/** The one-line message `NodeAuth.layerConfig` fails with. */
const failure = (values: Record<string, string>) =>
  Effect.gen(function* () {
    const error = yield* Effect.flip(load(values))
    assert.strictEqual(error._tag, "AuthError")
    assert.strictEqual(error.reason, "InvalidConfig")
    assert.notInclude(error.message, "\n")
    assert.notInclude(error.message, "the-client-secret")
    return error.message
  })

describe("NodeAuth.layer", () => {
  // The emulator example of docs/configuration.md, as it is written there: cognito-local's own pool id.
  const readmeEmulator = `NodeAuth.layer({
  region: "us-east-1",
  userPoolId: "local_4DbQ4hXK",
  clientId: "local_client",
  endpoints: { identityProvider: "http://127.0.0.1:9229/" }
})`

  it.effect(
    "builds the emulator layer of docs/configuration.md (cognito-local's local_<id> pool, the region from the config)",
    () =>
      Effect.gen(function* () {
        const readme = yield* Effect.promise(() =>
          readFile(join(import.meta.dirname, "..", "..", "..", "docs", "configuration.md"), "utf8")
        )
        assert.include(readme, readmeEmulator)
        const config = yield* AuthConfig.AuthConfig.pipe(
          Effect.provide(
            NodeAuth.layer({
              region: "us-east-1",
              userPoolId: "local_4DbQ4hXK",
              clientId: "local_client",
              endpoints: { identityProvider: "http://127.0.0.1:9229/" }
            })
          )
        )
        assert.strictEqual(config.region, "us-east-1")
        assert.strictEqual(config.userPoolId, "local_4DbQ4hXK")
        assert.strictEqual(config.poolName, "4DbQ4hXK")
        assert.strictEqual(config.identityProviderEndpoint, "http://127.0.0.1:9229/")
      })
  )
})

describe("NodeAuth.layerConfig", () => {
  it.effect("reads every variable; the secret stays Redacted", () =>
    Effect.gen(function* () {
      const config = yield* load(valid)
      assert.strictEqual(config.region, "eu-west-1")
      assert.strictEqual(config.userPoolId, "eu-west-1_AbCdEf123")
      assert.strictEqual(config.clientId, "client1")
      assert.strictEqual(Redacted.value(config.clientSecret!), "the-client-secret")
      assert.notInclude(JSON.stringify(config), "the-client-secret")
      assert.strictEqual(config.identityPoolId, "eu-west-1:12345678-1234-1234-1234-123456789abc")
      assert.strictEqual(config.identityProviderEndpoint, "http://127.0.0.1:9229/")
      assert.strictEqual(config.identityPoolEndpoint, "http://127.0.0.1:9230/")
      assert.strictEqual(Duration.toMinutes(config.authSessionValidity), 15)
    })
  )

  it.effect("derives the region from the user pool id, and leaves the optional variables out", () =>
    Effect.gen(function* () {
      const config = yield* load({ COGNITO_USER_POOL_ID: "ap-southeast-2_Xyz", COGNITO_CLIENT_ID: "c" })
      assert.strictEqual(config.region, "ap-southeast-2")
      assert.strictEqual(config.clientSecret, undefined)
      assert.strictEqual(config.identityPoolId, undefined)
      assert.strictEqual(config.identityProviderEndpoint, "https://cognito-idp.ap-southeast-2.amazonaws.com/")
      assert.strictEqual(Duration.toMinutes(config.authSessionValidity), 3)
    })
  )

  for (const name of ["COGNITO_USER_POOL_ID", "COGNITO_CLIENT_ID"])
    it.effect(`fails naming ${name} when it is missing`, () =>
      Effect.gen(function* () {
        assert.include(yield* failure(without(name)), `${name} is missing`)
      })
    )

  it.effect("names every missing variable at once", () =>
    Effect.gen(function* () {
      const message = yield* failure({})
      assert.include(message, "COGNITO_USER_POOL_ID is missing")
      assert.include(message, "COGNITO_CLIENT_ID is missing")
      assert.notInclude(message, "COGNITO_REGION")
    })
  )

  const malformed: ReadonlyArray<readonly [string, string, string]> = [
    ["COGNITO_REGION", "Europe", 'COGNITO_REGION: expected an AWS region like eu-west-1, found "Europe"'],
    ["COGNITO_REGION", "us-east-1", "COGNITO_REGION: expected the region of COGNITO_USER_POOL_ID (eu-west-1)"],
    [
      "COGNITO_USER_POOL_ID",
      "AbCdEf123",
      'COGNITO_USER_POOL_ID: expected <region>_<id>, like eu-west-1_AbCdEf123, found "AbCdEf123"'
    ],
    ["COGNITO_CLIENT_ID", "client 1", 'COGNITO_CLIENT_ID: expected 1 to 128 letters, digits, _ or +, found "client 1"'],
    ["COGNITO_CLIENT_SECRET", "", "COGNITO_CLIENT_SECRET: expected a secret, found an empty string"],
    ["COGNITO_IDENTITY_POOL_ID", "pool", "COGNITO_IDENTITY_POOL_ID: expected <region>:<uuid>"],
    [
      "COGNITO_IDENTITY_POOL_ID",
      "us-east-1:12345678-1234-1234-1234-123456789abc",
      "COGNITO_IDENTITY_POOL_ID: expected a pool in region eu-west-1, found a pool in region us-east-1"
    ],
    ["COGNITO_ENDPOINT", "ftp://127.0.0.1/", 'COGNITO_ENDPOINT: expected an http(s) URL, found "ftp://127.0.0.1/"'],
    ["COGNITO_ENDPOINT", "localhost:9229", "COGNITO_ENDPOINT: expected an"],
    [
      "COGNITO_IDENTITY_ENDPOINT",
      "not a url",
      'COGNITO_IDENTITY_ENDPOINT: expected an absolute http(s) URL, found "not a url"'
    ],
    ["COGNITO_AUTH_SESSION_VALIDITY", "soon", "COGNITO_AUTH_SESSION_VALIDITY"],
    [
      "COGNITO_AUTH_SESSION_VALIDITY",
      "16 minutes",
      "COGNITO_AUTH_SESSION_VALIDITY: expected a duration above zero, at most 15 minutes, found 16m"
    ]
  ]
  for (const [name, value, expected] of malformed)
    it.effect(`fails naming ${name} when it is ${JSON.stringify(value)}`, () =>
      Effect.gen(function* () {
        assert.include(yield* failure({ ...valid, [name]: value }), expected)
      })
    )

  it.effect("never echoes an endpoint with credentials", () =>
    Effect.gen(function* () {
      const message = yield* failure({ ...valid, COGNITO_ENDPOINT: "http://user:hunter2@127.0.0.1/" })
      assert.include(message, "COGNITO_ENDPOINT: expected a URL without credentials")
      assert.notInclude(message, "hunter2")
    })
  )

  it.effect("names every malformed variable at once, without the secret", () =>
    Effect.gen(function* () {
      const message = yield* failure({ ...valid, COGNITO_CLIENT_ID: "a b", COGNITO_USER_POOL_ID: "x" })
      assert.include(message, "COGNITO_CLIENT_ID:")
      assert.include(message, "COGNITO_USER_POOL_ID:")
    })
  )

  it.effect("reads nested variables, from a nested provider or a nested Config", () =>
    Effect.gen(function* () {
      const prefixed = Object.fromEntries(Object.entries(valid).map(([name, value]) => [`ADMIN.${name}`, value]))
      const fromProvider = yield* AuthConfig.AuthConfig.pipe(
        Effect.provide(NodeAuth.layerConfig()),
        Effect.provideService(ConfigProvider.ConfigProvider, provider(prefixed).pipe(ConfigProvider.nested("ADMIN")))
      )
      assert.strictEqual(fromProvider.clientId, "client1")
      const fromConfig = yield* load(prefixed, { config: AuthConfig.config.pipe(Config.nested("ADMIN")) })
      assert.strictEqual(fromConfig.userPoolId, "eu-west-1_AbCdEf123")
      const error = yield* Effect.flip(
        load(
          { "ADMIN.COGNITO_USER_POOL_ID": "eu-west-1_A" },
          { config: AuthConfig.config.pipe(Config.nested("ADMIN")) }
        )
      )
      assert.include(error.message, "ADMIN.COGNITO_CLIENT_ID is missing")
    })
  )

  it.effect("reads JSON through ConfigProvider.fromJson", () =>
    Effect.gen(function* () {
      const config = yield* AuthConfig.AuthConfig.pipe(
        Effect.provide(NodeAuth.layerConfig()),
        Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromUnknown(without("COGNITO_REGION")))
      )
      assert.strictEqual(config.region, "eu-west-1")
    })
  )
})

describe("NodeTokenStore.directory", () => {
  const read = (values: Record<string, string>) =>
    Effect.provideService(NodeTokenStore.directory, ConfigProvider.ConfigProvider, provider(values))

  it.effect("is EFFECT_COGNITO_HOME when set", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* read({ EFFECT_COGNITO_HOME: "/srv/sessions", XDG_CONFIG_HOME: "/x" }), "/srv/sessions")
    })
  )

  it.effect("is $XDG_CONFIG_HOME/effect-cognito when XDG_CONFIG_HOME is absolute", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* read({ XDG_CONFIG_HOME: "/home/me/.cfg" }), "/home/me/.cfg/effect-cognito")
    })
  )

  it.effect("is ~/.config/effect-cognito otherwise (a relative or empty XDG_CONFIG_HOME is ignored)", () =>
    Effect.gen(function* () {
      const fallback = join(homedir(), ".config", "effect-cognito")
      assert.strictEqual(yield* read({}), fallback)
      assert.strictEqual(yield* read({ XDG_CONFIG_HOME: "relative/dir" }), fallback)
      assert.strictEqual(yield* read({ XDG_CONFIG_HOME: "", EFFECT_COGNITO_HOME: "" }), fallback)
    })
  )

  it.live("a FileSystem store without a directory keeps the session there, privately, across builds", () =>
    Effect.gen(function* () {
      const home = join(yield* Effect.promise(() => mkdtemp(join(tmpdir(), "effect-cognito-home-"))), "sessions")
      const values = { ...valid, EFFECT_COGNITO_HOME: home }
      const storeLayer = Layer.provide(NodeAuth.layerStore({ store: { _tag: "FileSystem" } }), AuthConfig.layerConfig())
      const store = yield* TokenStore.TokenStore.pipe(
        Effect.provide(storeLayer),
        Effect.provideService(ConfigProvider.ConfigProvider, provider(values))
      )
      yield* store.save(TokenStoreSuite.sampleSession(1))
      assert.deepStrictEqual(yield* Effect.promise(() => readdir(home)), [
        "effect-cognito.eu-west-1_AbCdEf123.client1.session.json"
      ])
      assert.strictEqual((yield* Effect.promise(() => stat(home))).mode & 0o777, 0o700)
      const again = yield* TokenStore.TokenStore.pipe(
        Effect.provide(storeLayer),
        Effect.provideService(ConfigProvider.ConfigProvider, provider(values))
      )
      assert.isTrue(Option.isSome(yield* again.load))
    })
  )

  it.effect("a session key outside [A-Za-z0-9_-] fails with InvalidConfig, without echoing it", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        TokenStore.TokenStore.pipe(
          Effect.provide(
            Layer.provide(NodeAuth.layerStore({ sessionKey: "alice@example.com" }), AuthConfig.layerConfig())
          ),
          Effect.provideService(ConfigProvider.ConfigProvider, provider(valid))
        )
      )
      assert.strictEqual(error.reason, "InvalidConfig")
      assert.notInclude(error.message, "alice@example.com")
    })
  )
})
