import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Jwt from "../src/internal/jwt.js"

const valid: AuthConfig.Input = {
  region: "eu-west-1",
  userPoolId: "eu-west-1_AbCdEf123",
  clientId: "1h2k3l4m5n6o7p8q9r0s1t2u3v"
}

const invalid = (input: AuthConfig.Input, field: string) =>
  Effect.gen(function* () {
    const error = yield* Effect.flip(Layer.build(AuthConfig.layer(input)).pipe(Effect.scoped))
    assert.strictEqual(error.reason, "InvalidConfig")
    assert.include(error.message, field)
    return error
  })

describe("AuthConfig", () => {
  it.effect("derives the pool name, endpoints and login provider", () =>
    Effect.gen(function* () {
      const config = yield* AuthConfig.make({
        ...valid,
        identityPoolId: "eu-west-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
      })
      assert.strictEqual(config.poolName, "AbCdEf123")
      assert.strictEqual(config.identityProviderEndpoint, "https://cognito-idp.eu-west-1.amazonaws.com/")
      assert.strictEqual(config.identityPoolEndpoint, "https://cognito-identity.eu-west-1.amazonaws.com/")
      assert.strictEqual(config.loginProvider, "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123")
      assert.strictEqual(config.refreshTokenRotation, false)
    })
  )

  it.effect("takes endpoint overrides for a local emulator", () =>
    Effect.gen(function* () {
      const config = yield* AuthConfig.make({ ...valid, endpoints: { identityProvider: "http://127.0.0.1:9229" } })
      assert.strictEqual(config.identityProviderEndpoint, "http://127.0.0.1:9229/")
    })
  )

  it.effect("takes one endpoint given as both pools' endpoint, so no sibling call leaves for AWS", () =>
    Effect.gen(function* () {
      const identityPoolId = "eu-west-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
      for (const endpoints of [
        { identityProvider: "http://127.0.0.1:9229" },
        { identityPool: "http://127.0.0.1:9229" }
      ]) {
        const config = yield* AuthConfig.make({ ...valid, identityPoolId, endpoints })
        assert.strictEqual(config.identityProviderEndpoint, "http://127.0.0.1:9229/")
        assert.strictEqual(config.identityPoolEndpoint, "http://127.0.0.1:9229/")
      }
      const split = yield* AuthConfig.make({
        ...valid,
        identityPoolId,
        endpoints: { identityProvider: "http://127.0.0.1:9229", identityPool: "http://127.0.0.1:4000" }
      })
      assert.strictEqual(split.identityPoolEndpoint, "http://127.0.0.1:4000/")
      const local = yield* AuthConfig.AuthConfig.pipe(
        Effect.provide(AuthConfig.layerConfig()),
        Effect.provideService(
          ConfigProvider.ConfigProvider,
          ConfigProvider.fromEnvRecord({
            COGNITO_REGION: "us-east-1",
            COGNITO_USER_POOL_ID: "local_4DbQ4hXK",
            COGNITO_CLIENT_ID: "client1",
            COGNITO_IDENTITY_POOL_ID: "us-east-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
            COGNITO_ENDPOINT: "http://127.0.0.1:9229/"
          })
        )
      )
      assert.strictEqual(local.identityPoolEndpoint, "http://127.0.0.1:9229/")
    })
  )

  it.effect("takes an emulator's local_<id> pool id (cognito-local's), in the configured region", () =>
    Effect.gen(function* () {
      const config = yield* AuthConfig.make({
        region: "us-east-1",
        userPoolId: "local_4DbQ4hXK",
        clientId: "local-client".replace("-", "_"),
        identityPoolId: "us-east-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        endpoints: { identityProvider: "http://127.0.0.1:9229/", identityPool: "http://127.0.0.1:9229/" }
      })
      assert.strictEqual(config.region, "us-east-1")
      assert.strictEqual(config.userPoolId, "local_4DbQ4hXK")
      assert.strictEqual(config.poolName, "4DbQ4hXK")
      assert.strictEqual(config.loginProvider, "cognito-idp.us-east-1.amazonaws.com/local_4DbQ4hXK")
      assert.strictEqual(AuthConfig.regionOfUserPoolId("local_4DbQ4hXK"), undefined)
      // Its tokens' issuer is the emulator's: the endpoint and the pool id.
      const pool = Jwt.poolOf(config)
      assert.isTrue(pool.isIssuer("http://127.0.0.1:9229/local_4DbQ4hXK"))
      assert.isFalse(pool.isIssuer("http://127.0.0.1:9229/local_Other1"))
      const noRegion = yield* invalid(
        {
          userPoolId: "local_4DbQ4hXK",
          clientId: "c",
          endpoints: { identityProvider: "http://127.0.0.1:9229/" }
        } as never,
        "region: expected an AWS region like eu-west-1 (a local_ user pool id names none), found nothing"
      )
      assert.notInclude(noRegion.message, "userPoolId")
      yield* invalid(
        { region: "us-east-1", userPoolId: "local_4DbQ4hXK", clientId: "c" },
        "endpoints.identityProvider: expected the emulator's URL for a local_ user pool id, found nothing"
      )
      for (const userPoolId of ["local_", "local_a-b", "locale_AbC", "LOCAL_AbC"])
        yield* invalid(
          { ...valid, userPoolId, endpoints: { identityProvider: "http://127.0.0.1:9229/" } },
          "userPoolId"
        )
    })
  )

  it.effect(
    "reads an emulator's local_<id> pool id from the environment, with COGNITO_REGION and COGNITO_ENDPOINT",
    () =>
      Effect.gen(function* () {
        const read = (env: Record<string, string>) =>
          AuthConfig.AuthConfig.pipe(
            Effect.provide(AuthConfig.layerConfig()),
            Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env))
          )
        const env = {
          COGNITO_REGION: "us-east-1",
          COGNITO_USER_POOL_ID: "local_4DbQ4hXK",
          COGNITO_CLIENT_ID: "client1",
          COGNITO_ENDPOINT: "http://127.0.0.1:9229/"
        }
        const config = yield* read(env)
        assert.strictEqual(config.region, "us-east-1")
        assert.strictEqual(config.userPoolId, "local_4DbQ4hXK")
        assert.strictEqual(config.identityProviderEndpoint, "http://127.0.0.1:9229/")
        const { COGNITO_REGION: _region, COGNITO_ENDPOINT: _endpoint, ...bare } = env
        const error = yield* Effect.flip(read(bare))
        assert.strictEqual(error.reason, "InvalidConfig")
        assert.include(
          error.message,
          "COGNITO_REGION: expected an AWS region like eu-west-1 (a local_ user pool id names none), found nothing"
        )
        assert.include(error.message, "COGNITO_ENDPOINT: expected the emulator's URL for a local_ user pool id")
        assert.notInclude(error.message, "COGNITO_USER_POOL_ID")
      })
  )

  it.effect("names every problem at once: a pool in another region and no client id", () =>
    Effect.gen(function* () {
      const fromInput = yield* invalid(
        { region: "us-east-1", userPoolId: "eu-west-1_AbCdEf123" } as never,
        "userPoolId: expected a pool in region us-east-1, found a pool in region eu-west-1"
      )
      assert.include(fromInput.message, "clientId: expected 1 to 128 letters, digits, _ or +, found nothing")
      assert.notInclude(fromInput.message, "\n")
      const many = yield* invalid(
        { ...valid, region: "Europe", clientId: "", requestTimeout: 0, endpoints: { identityPool: "ftp://x/" } },
        "region: expected an AWS region"
      )
      for (const field of ["clientId:", "requestTimeout:", "endpoints.identityPool:"])
        assert.include(many.message, field)
      const fromEnvironment = yield* Effect.flip(
        AuthConfig.AuthConfig.pipe(
          Effect.provide(AuthConfig.layerConfig()),
          Effect.provideService(
            ConfigProvider.ConfigProvider,
            ConfigProvider.fromEnvRecord({ COGNITO_USER_POOL_ID: "eu-west-1_AbCdEf123", COGNITO_REGION: "us-east-1" })
          )
        )
      )
      assert.strictEqual(fromEnvironment.reason, "InvalidConfig")
      // As docs/configuration.md shows it.
      assert.strictEqual(
        fromEnvironment.message,
        'AuthConfig failed (InvalidConfig): COGNITO_CLIENT_ID is missing; COGNITO_REGION: expected the region of COGNITO_USER_POOL_ID (eu-west-1), found "us-east-1"'
      )
      assert.notInclude(fromEnvironment.message, "\n")
    })
  )

  it.effect("fails with InvalidConfig naming the field when the layer is built", () =>
    Effect.gen(function* () {
      const malformed = yield* invalid({ ...valid, userPoolId: "AbCdEf123" }, "userPoolId")
      assert.include(malformed.message, "expected <region>_<id>")
      const otherRegion = yield* invalid({ ...valid, userPoolId: "us-east-1_AbCdEf123" }, "userPoolId")
      assert.include(otherRegion.message, "a pool in region us-east-1")
      yield* invalid(
        { ...valid, clientId: "" },
        "clientId: expected 1 to 128 letters, digits, _ or +, found an empty string"
      )
      yield* invalid({ ...valid, region: "Europe" }, "region")
      yield* invalid({ ...valid, identityPoolId: "eu-west-1:not-a-uuid" }, "identityPoolId")
      yield* invalid({ ...valid, identityPoolId: "us-east-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0" }, "identityPoolId")
      yield* invalid({ ...valid, endpoints: { identityProvider: "not a url" } }, "endpoints.identityProvider")
      yield* invalid({ ...valid, endpoints: { identityPool: "ftp://127.0.0.1/" } }, "endpoints.identityPool")
      yield* invalid({ ...valid, refreshWindow: "forever" as never }, "refreshWindow")
    })
  )

  it.effect(
    "refuses a request timeout or session validity that is zero, negative or NaN, and a negative refresh window",
    () =>
      Effect.gen(function* () {
        for (const requestTimeout of [0, -1, Number.NaN, "0 millis", "-5 seconds", [-1, 0], [0, Number.NaN]] as const) {
          const error = yield* invalid({ ...valid, requestTimeout }, "requestTimeout")
          assert.include(error.message, "a finite duration above zero")
        }
        for (const refreshWindow of [-1, Number.NaN, "-5 minutes", BigInt(-1)] as const) {
          const error = yield* invalid({ ...valid, refreshWindow }, "refreshWindow")
          assert.include(error.message, "a finite duration, zero or more")
        }
        yield* invalid({ ...valid, requestTimeout: Number.POSITIVE_INFINITY }, "requestTimeout")
        for (const authSessionValidity of [0, -1, "forever" as never, Number.POSITIVE_INFINITY, "16 minutes"] as const)
          yield* invalid({ ...valid, authSessionValidity }, "authSessionValidity")
        assert.strictEqual(Duration.toMinutes((yield* AuthConfig.make(valid)).authSessionValidity), 3)
        const longer = yield* AuthConfig.make({ ...valid, authSessionValidity: "15 minutes" })
        assert.strictEqual(Duration.toMinutes(longer.authSessionValidity), 15)
        const zeroWindow = yield* AuthConfig.make({ ...valid, refreshWindow: 0, requestTimeout: "1 millis" })
        assert.strictEqual(Duration.toMillis(zeroWindow.refreshWindow), 0)
        assert.strictEqual(Duration.toMillis(zeroWindow.requestTimeout), 1)
      })
  )

  it.effect("refuses an endpoint with credentials and never echoes them", () =>
    Effect.gen(function* () {
      for (const url of [
        "https://admin:hunter2-secret@cognito.example.com/",
        "http://hunter2-secret@127.0.0.1:9229/",
        "http://admin:hunter2-secret@not a url/"
      ]) {
        for (const field of ["identityProvider", "identityPool"] as const) {
          const error = yield* invalid({ ...valid, endpoints: { [field]: url } }, `endpoints.${field}`)
          assert.notInclude(error.message, "hunter2-secret")
          assert.notInclude(JSON.stringify(error), "hunter2-secret")
          assert.notInclude(String(error), "hunter2-secret")
        }
      }
    })
  )

  it.effect("derives the amazonaws.com.cn endpoints and login provider in the China regions", () =>
    Effect.gen(function* () {
      for (const region of ["cn-north-1", "cn-northwest-1"]) {
        const config = yield* AuthConfig.make({
          region,
          userPoolId: `${region}_AbCdEf123`,
          clientId: "client1",
          identityPoolId: `${region}:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`
        })
        assert.strictEqual(config.identityProviderEndpoint, `https://cognito-idp.${region}.amazonaws.com.cn/`)
        assert.strictEqual(config.identityPoolEndpoint, `https://cognito-identity.${region}.amazonaws.com.cn/`)
        assert.strictEqual(config.loginProvider, `cognito-idp.${region}.amazonaws.com.cn/${region}_AbCdEf123`)
      }
    })
  )

  it.effect("caps response bodies at 1 MiB by default and takes only a positive whole number of bytes", () =>
    Effect.gen(function* () {
      assert.strictEqual((yield* AuthConfig.make(valid)).maxResponseBytes, 1024 * 1024)
      assert.strictEqual((yield* AuthConfig.make({ ...valid, maxResponseBytes: 4096 })).maxResponseBytes, 4096)
      for (const maxResponseBytes of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        yield* invalid({ ...valid, maxResponseBytes }, "maxResponseBytes")
      }
    })
  )

  it.effect("refuses fields of the wrong type, as a caller in JavaScript may pass them", () =>
    Effect.gen(function* () {
      yield* invalid({ ...valid, region: 42 as never }, "region: expected an AWS region like eu-west-1, found 42")
      yield* invalid({ ...valid, clientId: null as never }, "clientId")
      yield* invalid({ ...valid, clientSecret: "plain-secret" as never }, "clientSecret")
      yield* invalid({ ...valid, endpoints: "http://127.0.0.1/" as never }, "endpoints")
      yield* invalid({ ...valid, refreshTokenRotation: "yes" as never }, "refreshTokenRotation")
      const hidden = yield* invalid({ ...valid, clientSecret: "plain-secret" as never }, "clientSecret")
      assert.notInclude(hidden.message, "plain-secret")
    })
  )

  it.effect("never shows the client secret", () =>
    Effect.gen(function* () {
      const config = yield* AuthConfig.make({ ...valid, clientSecret: Redacted.make("the-secret") })
      assert.notInclude(JSON.stringify(config), "the-secret")
      assert.notInclude(String(config.clientSecret), "the-secret")
    })
  )

  it.effect("reads the environment through Config", () =>
    Effect.gen(function* () {
      const provider = ConfigProvider.fromEnvRecord({
        COGNITO_REGION: "eu-west-1",
        COGNITO_USER_POOL_ID: "eu-west-1_AbCdEf123",
        COGNITO_CLIENT_ID: "client1",
        COGNITO_CLIENT_SECRET: "shh"
      })
      const config = yield* AuthConfig.AuthConfig.pipe(
        Effect.provide(AuthConfig.layerConfig()),
        Effect.provideService(ConfigProvider.ConfigProvider, provider)
      )
      assert.strictEqual(config.clientId, "client1")
      assert.strictEqual(Redacted.value(config.clientSecret!), "shh")
      const missing = yield* Effect.flip(
        AuthConfig.AuthConfig.pipe(
          Effect.provide(AuthConfig.layerConfig()),
          Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord({}))
        )
      )
      assert.strictEqual(missing.reason, "InvalidConfig")
      assert.include(missing.message, "COGNITO_USER_POOL_ID is missing")
      assert.include(missing.message, "COGNITO_CLIENT_ID is missing")
    })
  )
})
