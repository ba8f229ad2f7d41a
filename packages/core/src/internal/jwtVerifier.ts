/**
 * `CognitoJwtVerifier.make`: the options checked once (each pool through `AuthConfig`'s
 * own rules, so a pool id, its region and an emulator's endpoint mean here what they mean
 * for the client), a JWKS cache per pool, and the verification: read the token
 * (`jwtRules.decompose`), find its pool by `iss`, its key by `kid` (`jwksCache`), check
 * the key against `alg` (`jwtRules.checkKey`), the RS256 signature (`effect/jose`'s
 * `Jws.verify` on Web Crypto), then the claims (`jwtRules.checkClaims`) by `Clock`.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Clock from "effect/Clock"
import * as SecureRandom from "effect/crypto/SecureRandom"
import * as Signature from "effect/crypto/Signature"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpClient from "effect/http/HttpClient"
import * as Jwk from "effect/jose/Jwk"
import * as Jws from "effect/jose/Jws"
import * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as AuthError from "../AuthError.js"
import type * as CognitoJwtVerifier from "../CognitoJwtVerifier.js"
import * as JwtVerificationError from "../JwtVerificationError.js"
import * as check from "./authConfigCheck.js"
import * as JwksCache from "./jwksCache.js"
import { poolOf, type Pool } from "./jwt.js"
import * as Rules from "./jwtRules.js"

/** A pool as the verifier uses it: which issuers are its, its app clients, its keys. */
interface PoolSettings {
  readonly pool: Pool
  readonly clientIds: ReadonlyArray<string> | null
  readonly jwksUrl: string
}

interface Settings {
  readonly pools: ReadonlyArray<PoolSettings>
  readonly tokenUse: "id" | "access" | null
  readonly scopes: ReadonlyArray<string> | undefined
  readonly groups: ReadonlyArray<string> | undefined
  readonly leewaySeconds: number
  readonly maxTokenLength: number
  readonly jwks: Omit<JwksCache.Options, "url">
}

const problem = (field: string, expected: string, found: unknown) =>
  `${field}: expected ${expected}, found ${check.show(found)}`

/** The app clients of a pool: `null`, a client id, or a non-empty list of them. */
const clientIdsOf = (field: string, value: unknown): Result.Result<ReadonlyArray<string> | null, string> => {
  const expected = "an app client id, a non-empty list of them, or null (any app client)"
  if (value === null) return Result.succeed(null)
  const ids = typeof value === "string" ? [value] : value
  if (!Array.isArray(ids) || ids.length === 0) return Result.fail(problem(field, expected, value))
  for (const id of ids)
    if (typeof id !== "string" || !check.clientIdPattern.test(id))
      return Result.fail(
        `${field}: expected app client ids of 1 to 128 letters, digits, _ or +, found ${check.show(id)}`
      )
  return Result.succeed(ids as ReadonlyArray<string>)
}

/** Required scopes or groups: absent, or a non-empty list of non-empty strings. */
const namesOf = (field: string, value: unknown): Result.Result<ReadonlyArray<string> | undefined, string> => {
  if (value === undefined) return Result.succeed(undefined)
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string" && v !== "")
    ? Result.succeed(value as ReadonlyArray<string>)
    : Result.fail(problem(field, "a non-empty list of names", value))
}

/**
 * One pool, checked by `AuthConfig`'s rules (the id, its region, a `local_` id's region and
 * endpoint, the endpoint's form); its problems are named with the pool's field prefix.
 */
const poolSettings = (input: CognitoJwtVerifier.UserPool, prefix: string) =>
  Effect.gen(function* () {
    const raw: { readonly [K in keyof CognitoJwtVerifier.UserPool]?: unknown } =
      typeof input === "object" && input !== null ? input : {}
    const problems: Array<string> = []
    const clientIds = clientIdsOf(`${prefix}clientId`, raw.clientId)
    if (Result.isFailure(clientIds)) problems.push(clientIds.failure)
    const userPoolId = typeof raw.userPoolId === "string" ? raw.userPoolId : undefined
    const local = userPoolId !== undefined && check.localUserPoolIdPattern.test(userPoolId)
    // A region is the pool id's unless given; a malformed id is named by its own problem alone.
    const region =
      raw.region ??
      (userPoolId === undefined ? undefined : check.userPoolIdPattern.exec(userPoolId)?.[1]) ??
      (local ? undefined : "us-east-1")
    const validated = yield* Effect.exit(
      check.make({
        region: region as string,
        userPoolId: raw.userPoolId as string,
        // The pool's own check; app clients are checked above, as a list.
        clientId: "verifier",
        ...(raw.endpoint === undefined ? {} : { endpoints: { identityProvider: raw.endpoint as string } })
      })
    )
    if (Exit.isFailure(validated)) {
      const error = Exit.findErrorOption(validated)
      const description = error._tag === "Some" ? (error.value.description ?? "") : "the pool is not valid"
      for (const part of description.split("; "))
        problems.push(`${prefix}${part.replace(/^endpoints\.identityProvider/, "endpoint")}`)
    }
    if (problems.length > 0 || Exit.isFailure(validated) || Result.isFailure(clientIds))
      return Result.fail<ReadonlyArray<string>>(problems)
    const pool = poolOf(validated.value)
    return Result.succeed<PoolSettings>({
      pool,
      clientIds: clientIds.success,
      jwksUrl: `${pool.issuer}/.well-known/jwks.json`
    })
  })

/** Checks the options; fails with `InvalidConfig` naming every problem at once. */
const settingsOf = (options: CognitoJwtVerifier.Options): Effect.Effect<Settings, AuthError.AuthError> =>
  Effect.gen(function* () {
    const raw: { readonly [K in keyof CognitoJwtVerifier.Options]?: unknown } =
      typeof options === "object" && options !== null ? options : {}
    const problems: Array<string> = []
    const take = <A>(result: Result.Result<A, string>): A | undefined => {
      if (Result.isSuccess(result)) return result.success
      problems.push(result.failure)
      return undefined
    }
    const inputs: ReadonlyArray<CognitoJwtVerifier.UserPool> = Array.isArray(raw.userPools)
      ? raw.userPools
      : raw.userPools === undefined
        ? []
        : [raw.userPools as CognitoJwtVerifier.UserPool]
    if (inputs.length === 0)
      problems.push(problem("userPools", "a user pool or a non-empty list of them", raw.userPools))
    const pools: Array<PoolSettings> = []
    for (const [i, input] of inputs.entries()) {
      const settings = yield* poolSettings(input, Array.isArray(raw.userPools) ? `userPools[${i}].` : "")
      if (Result.isSuccess(settings)) pools.push(settings.success)
      else problems.push(...settings.failure)
    }
    const tokenUse = raw.tokenUse
    if (tokenUse !== "id" && tokenUse !== "access" && tokenUse !== null)
      problems.push(problem("tokenUse", '"id", "access" or null (either)', tokenUse))
    const scopes = take(namesOf("scopes", raw.scopes))
    const groups = take(namesOf("groups", raw.groups))
    const leeway = take(check.duration("leeway", raw.leeway, Duration.zero, { positive: false }))
    const maxTokenLength = take(check.byteCount("maxTokenLength", raw.maxTokenLength, 16384))
    const jwks: { readonly [key: string]: unknown } =
      typeof raw.jwks === "object" && raw.jwks !== null ? (raw.jwks as { readonly [key: string]: unknown }) : {}
    if (raw.jwks !== undefined && (typeof raw.jwks !== "object" || raw.jwks === null))
      problems.push(problem("jwks", "an object", raw.jwks))
    const timeout = take(check.duration("jwks.timeout", jwks.timeout, Duration.seconds(5), { positive: true }))
    const cooldown = take(check.duration("jwks.cooldown", jwks.cooldown, Duration.seconds(10), { positive: false }))
    const maxResponseBytes = take(check.byteCount("jwks.maxResponseBytes", jwks.maxResponseBytes, 65536))
    if (
      problems.length > 0 ||
      leeway === undefined ||
      maxTokenLength === undefined ||
      timeout === undefined ||
      cooldown === undefined ||
      maxResponseBytes === undefined
    )
      return yield* Effect.fail(
        AuthError.make("InvalidConfig", "CognitoJwtVerifier", [...new Set(problems)].join("; "))
      )
    return {
      pools,
      tokenUse: tokenUse as "id" | "access" | null,
      scopes,
      groups,
      leewaySeconds: Duration.toMillis(leeway) / 1000,
      maxTokenLength,
      jwks: { timeout, cooldown, maxResponseBytes }
    }
  })

const failure = (f: Rules.Failure) => Effect.fail(JwtVerificationError.make(f.check, f.description))

type RsaJwk = Extract<Jwk.PublicJwk, { readonly kty: "RSA" }>
const isRsa = (key: JwksCache.Key): key is RsaJwk => key.kty === "RSA" && Predicate.hasProperty(key, "n")

/** The issuers a message names as expected: the first three pools'. */
const expectedIssuers = (pools: ReadonlyArray<PoolSettings>): string =>
  pools.length === 1
    ? `expected ${JSON.stringify(pools[0]!.pool.issuer)}`
    : `expected the issuer of one of ${pools.length} pools (${pools
        .slice(0, 3)
        .map((p) => JSON.stringify(p.pool.issuer))
        .join(", ")}${pools.length > 3 ? ", …" : ""})`

const stringOr = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)

export const make = Effect.fnUntraced(function* (options: CognitoJwtVerifier.Options) {
  const settings = yield* settingsOf(options)
  const client = yield* HttpClient.HttpClient
  const scope = yield* Effect.scope
  const signature = Context.get(
    yield* Layer.build(Signature.layerWebCrypto.pipe(Layer.provide(SecureRandom.layerWebCrypto))),
    Signature.Signature
  )
  const pools = settings.pools.map((pool) => ({
    ...pool,
    keys: JwksCache.make(client, scope, { url: pool.jwksUrl, ...settings.jwks })
  }))
  /** Each JWK imported once for RS256, keyed by the decoded JWK (a refetched set brings new objects). */
  const imported = new WeakMap<JwksCache.Key, Jwk.PublicKey>()
  const importKey = (jwk: JwksCache.Key) => {
    const cached = imported.get(jwk)
    if (cached !== undefined) return Effect.succeed(cached)
    if (!isRsa(jwk)) return failure({ check: "jwk", description: "the key for this kid is not an RSA key" })
    return Jwk.importPublic(jwk, Rules.algorithm).pipe(
      Effect.tap((key) => Effect.sync(() => imported.set(jwk, key))),
      Effect.mapError((error) =>
        JwtVerificationError.make("jwk", `the key for this kid cannot verify RS256: ${error.message}`, error)
      )
    )
  }

  const verifySignature = (token: string, key: Jwk.PublicKey) =>
    Jws.verify(token, key).pipe(
      Effect.provideService(Signature.Signature, signature),
      Effect.catchTag("JoseError", (error) =>
        Effect.fail(
          error.reason._tag === "AlgorithmNotAllowed"
            ? JwtVerificationError.make("alg", "alg is not the key's algorithm")
            : error.reason._tag === "SignatureVerificationFailed"
              ? JwtVerificationError.make("signature", "the signature does not match the token")
              : JwtVerificationError.make(
                  "signature",
                  "the signature does not cover the token as sent (its segments must be unpadded base64url)"
                )
        )
      )
    )

  const verify = (
    token: string | Redacted.Redacted<string>,
    verifyOptions?: CognitoJwtVerifier.VerifyOptions
  ): Effect.Effect<CognitoJwtVerifier.VerifiedToken, JwtVerificationError.JwtVerificationError> =>
    Effect.suspend(() => {
      const raw: unknown = Redacted.isRedacted(token) ? Redacted.value(token) : token
      if (typeof raw !== "string") return failure({ check: "format", description: "the token is not a string" })
      const decomposed = Rules.decompose(raw, settings.maxTokenLength)
      if (Result.isFailure(decomposed)) return failure(decomposed.failure)
      const { alg, kid, payload } = decomposed.success
      const iss = payload.iss as string | undefined
      if (iss === undefined) return failure({ check: "iss", description: "the token names no issuer (iss)" })
      const pool = pools.find((p) => p.pool.isIssuer(iss))
      if (pool === undefined)
        return failure({ check: "iss", description: `iss is ${check.show(iss)}, ${expectedIssuers(pools)}` })
      if (kid === undefined) return failure({ check: "kid", description: "the header has no kid" })
      return pool.keys.key(kid).pipe(
        Effect.flatMap((jwk) => {
          const fit = Rules.checkKey(alg, jwk)
          return Result.isFailure(fit) ? failure(fit.failure) : importKey(jwk)
        }),
        Effect.flatMap((key) => verifySignature(raw, key)),
        Effect.andThen(Clock.currentTimeMillis),
        Effect.flatMap((now) => {
          const clientId = verifyOptions?.clientId
          const checked = Rules.checkClaims(payload, {
            now: now / 1000,
            leeway: settings.leewaySeconds,
            tokenUse: verifyOptions?.tokenUse === undefined ? settings.tokenUse : verifyOptions.tokenUse,
            clientIds:
              clientId === undefined
                ? pool.clientIds
                : clientId === null
                  ? null
                  : typeof clientId === "string"
                    ? [clientId]
                    : clientId,
            scopes: verifyOptions?.scopes ?? settings.scopes,
            groups: verifyOptions?.groups ?? settings.groups
          })
          if (Result.isFailure(checked)) return failure(checked.failure)
          const { exp, sub, tokenUse } = checked.success
          const groups = payload["cognito:groups"]
          const scope = payload.scope
          return Effect.succeed<CognitoJwtVerifier.VerifiedToken>({
            tokenUse,
            sub,
            username: stringOr(tokenUse === "access" ? payload.username : payload["cognito:username"]),
            groups: Array.isArray(groups) ? groups.filter(Predicate.isString) : [],
            scopes: typeof scope === "string" ? scope.split(" ").filter((s) => s !== "") : [],
            clientId: stringOr(tokenUse === "access" ? payload.client_id : payload.aud),
            userPoolId: pool.pool.userPoolId,
            issuer: iss,
            expiresAt: exp,
            claims: payload
          })
        })
      )
    })

  return {
    verify,
    hydrate: Effect.forEach(pools, (pool) => pool.keys.load, { concurrency: "unbounded", discard: true })
  } satisfies CognitoJwtVerifier.CognitoJwtVerifier.Service
})
