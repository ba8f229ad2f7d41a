/**
 * Micro-benchmark: the SRP client cost of one sign-in (a fresh ephemeral a and
 * A = g^a, then x, u, S, the HKDF key and the PASSWORD_CLAIM_SIGNATURE for a
 * PASSWORD_VERIFIER challenge), ours against amazon-cognito-identity-js and aws-amplify.
 *
 *   npx tsx bench/srp.ts [rounds]   (default 8, scaled by BENCH_SCALE)
 *
 * - ours, native: `Srp.generateEphemeral` + `Srp.passwordClaim` with `NodeSrpMath.layer`
 *   (OpenSSL's modp15 group), as `NodeAuth.layer` runs them.
 * - ours, pure: the same with the default `SrpMath.pure` (BigInt), as in browsers.
 * - amazon-cognito-identity-js, AuthenticationHelper path: `new AuthenticationHelper(pool)`
 *   (a and A) + `getPasswordAuthenticationKey` + the HMAC of the claim, as `CognitoUser` does it.
 * - amazon-cognito-identity-js, full sign-in: `CognitoUser.authenticateUser` (USER_SRP_AUTH)
 *   against an in-process fake client that answers InitiateAuth and captures the claim.
 * - aws-amplify v6: its internal SRP helpers, as its `signIn` drives them:
 *   `getAuthenticationHelper(pool)` (a and A), `getPasswordAuthenticationKey`, `getSignatureString`.
 *
 * The contenders run interleaved, round after round, so load on a shared machine falls on
 * all of them alike; each round gives the fast ones more sign-ins so every contender gets
 * a similar share of the time. Ratios are per sign-in, against amazon-cognito-identity-js's
 * AuthenticationHelper path.
 */
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as Srp from "@effect-cognito/core/Srp"
import * as NodeSrpMath from "@effect-cognito/node/NodeSrpMath"
import * as Cognito from "amazon-cognito-identity-js"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { createHmac } from "node:crypto"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { pathToFileURL } from "node:url"

interface LibBigInteger {
  toString(radix?: number): string
}
interface LibHelper {
  readonly N: LibBigInteger
  getLargeAValue(callback: (error: unknown, A: LibBigInteger) => void): void
  getPasswordAuthenticationKey(
    username: string,
    password: string,
    serverB: LibBigInteger,
    salt: LibBigInteger,
    callback: (error: unknown, key: Uint8Array) => void
  ): void
}
const { AuthenticationHelper } = Cognito as unknown as {
  readonly AuthenticationHelper: new (pool: string) => LibHelper
}
const LibBigInteger = new AuthenticationHelper("warmup").N.constructor as unknown as new (
  value: string,
  radix: number
) => LibBigInteger

/** Rounds: the argument, else 8 scaled by `BENCH_SCALE` (default 1), at least 1. */
const rounds = Number(process.argv[2] ?? Math.max(1, Math.round(8 * Number(process.env.BENCH_SCALE ?? 1))))
const poolName = "AbCdEf123"
const userIdForSrp = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
const password = "correct horse battery staple"
const salt = "f0a1b2c3d4e5f60718293a4b5c6d7e8f"
const srpB = Srp.gPow(0x1234567890abcdef1234567890abcdef1234567890abcdefn).toString(16)
const secretBlock = Buffer.from(Array.from({ length: 96 }, (_, i) => (i * 53) & 0xff)).toString("base64")
const timestamp = Srp.formatTimestamp(new Date())

const ours = Effect.gen(function* () {
  const ephemeral = yield* Srp.generateEphemeral
  return yield* Srp.passwordClaim({
    poolName,
    userIdForSrp,
    password: Redacted.make(password),
    ephemeral,
    salt,
    srpB,
    secretBlock,
    timestamp
  })
})
const nativeRuntime = ManagedRuntime.make(Layer.merge(SecureRandom.layer, NodeSrpMath.layer))
const pureRuntime = ManagedRuntime.make(SecureRandom.layer)

// aws-amplify v6 keeps its SRP helpers internal (not in its package exports): load them by file.
interface AmplifyBigInteger {
  toString(radix?: number): string
}
interface AmplifySrp {
  readonly getAuthenticationHelper: (userPoolName: string) => Promise<{
    getPasswordAuthenticationKey(input: {
      readonly username: string
      readonly password: string
      readonly serverBValue: AmplifyBigInteger
      readonly salt: AmplifyBigInteger
    }): Promise<Uint8Array>
  }>
  readonly getSignatureString: (input: {
    readonly userPoolName: string
    readonly username: string
    readonly challengeParameters: Readonly<Record<string, string>>
    readonly dateNow: string
    readonly hkdf: Uint8Array
  }) => string
}
const amplifySrpDirectory = join(
  dirname(createRequire(import.meta.url).resolve("@aws-amplify/auth/package.json")),
  "dist/esm/providers/cognito/utils/srp"
)
const amplifySrp = (await import(pathToFileURL(join(amplifySrpDirectory, "index.mjs")).href)) as AmplifySrp
const { BigInteger: AmplifyBigInteger } = (await import(
  pathToFileURL(join(amplifySrpDirectory, "BigInteger/index.mjs")).href
)) as { readonly BigInteger: new (value: string, radix: number) => AmplifyBigInteger }

const amplify = async () => {
  const helper = await amplifySrp.getAuthenticationHelper(poolName)
  const hkdf = await helper.getPasswordAuthenticationKey({
    username: userIdForSrp,
    password,
    serverBValue: new AmplifyBigInteger(srpB, 16),
    salt: new AmplifyBigInteger(salt, 16)
  })
  return amplifySrp.getSignatureString({
    userPoolName: poolName,
    username: userIdForSrp,
    challengeParameters: { SECRET_BLOCK: secretBlock },
    dateNow: timestamp,
    hkdf
  })
}

const libraryHelper = () =>
  new Promise<string>((resolve, reject) => {
    const helper = new AuthenticationHelper(poolName)
    helper.getPasswordAuthenticationKey(
      userIdForSrp,
      password,
      new LibBigInteger(srpB, 16),
      new LibBigInteger(salt, 16),
      (error, key) => {
        if (error) return reject(error)
        const message = Buffer.concat([
          Buffer.from(poolName, "utf8"),
          Buffer.from(userIdForSrp, "utf8"),
          Buffer.from(secretBlock, "base64"),
          Buffer.from(timestamp, "utf8")
        ])
        resolve(createHmac("sha256", key).update(message).digest("base64"))
      }
    )
  })

const librarySignIn = () =>
  new Promise<string>((resolve, reject) => {
    const stop = new Error("captured")
    const client = {
      request: (
        action: string,
        params: { readonly ChallengeResponses?: Readonly<Record<string, string>> },
        callback: (error: unknown, data?: unknown) => void
      ) => {
        if (action === "InitiateAuth")
          return callback(null, {
            ChallengeName: "PASSWORD_VERIFIER",
            Session: "session",
            ChallengeParameters: {
              USERNAME: "alice",
              USER_ID_FOR_SRP: userIdForSrp,
              SALT: salt,
              SRP_B: srpB,
              SECRET_BLOCK: secretBlock
            }
          })
        resolve(params.ChallengeResponses?.PASSWORD_CLAIM_SIGNATURE ?? "")
        callback(stop)
      }
    }
    const pool = new Cognito.CognitoUserPool({ UserPoolId: `us-east-1_${poolName}`, ClientId: "client" })
    Object.assign(pool, { client })
    const user = new Cognito.CognitoUser({ Username: "alice", Pool: pool })
    user.setAuthenticationFlowType("USER_SRP_AUTH")
    user.authenticateUser(new Cognito.AuthenticationDetails({ Username: "alice", Password: password }), {
      onSuccess: () => reject(new Error("unexpected success")),
      onFailure: (error: Error) => {
        if (error !== stop) reject(error)
      }
    })
  })

interface Contender {
  readonly name: string
  readonly run: () => Promise<unknown>
  /** Sign-ins per round. */
  readonly perRound: number
  seconds: number
  count: number
}

const contender = (name: string, run: () => Promise<unknown>, perRound: number): Contender => ({
  name,
  run,
  perRound,
  seconds: 0,
  count: 0
})

const main = async () => {
  const native = contender("effect-cognito, Node (native OpenSSL)", () => nativeRuntime.runPromise(ours), 40)
  const pure = contender("effect-cognito, pure BigInt", () => pureRuntime.runPromise(ours), 8)
  const helper = contender("amazon-cognito-identity-js (AuthenticationHelper)", libraryHelper, 2)
  const signIn = contender("amazon-cognito-identity-js (authenticateUser)", librarySignIn, 2)
  const amplifyHelpers = contender("aws-amplify v6 (its SRP helpers)", amplify, 2)
  const contenders = [native, pure, helper, signIn, amplifyHelpers]
  // Warm-up: the JIT, the fixed-base table of g, k.
  for (const c of contenders) for (let i = 0; i < 2; i++) await c.run()
  console.log(`SRP client time per sign-in (3072-bit group), ${rounds} interleaved rounds, Node ${process.version}\n`)
  for (let round = 0; round < rounds; round++)
    for (const c of contenders) {
      const start = performance.now()
      for (let i = 0; i < c.perRound; i++) await c.run()
      c.seconds += (performance.now() - start) / 1000
      c.count += c.perRound
    }
  const msPerSignIn = (c: Contender) => (c.seconds / c.count) * 1000
  for (const c of contenders)
    console.log(
      `${c.name.padEnd(52)} ${msPerSignIn(c).toFixed(2).padStart(8)} ms/sign-in  ${(c.count / c.seconds)
        .toFixed(1)
        .padStart(7)} sign-ins/s  (${c.count})`
    )
  const baseline = msPerSignIn(helper)
  console.log(`\nper sign-in, times faster than amazon-cognito-identity-js (AuthenticationHelper):`)
  for (const c of [native, pure, amplifyHelpers, signIn])
    console.log(`  ${c.name.padEnd(52)} ${(baseline / msPerSignIn(c)).toFixed(1).padStart(6)}x`)
  console.log(
    `  ${"effect-cognito native vs aws-amplify v6".padEnd(52)} ${(msPerSignIn(amplifyHelpers) / msPerSignIn(native))
      .toFixed(1)
      .padStart(6)}x`
  )
  console.log(
    `  ${"effect-cognito native vs its pure BigInt path".padEnd(52)} ${(msPerSignIn(pure) / msPerSignIn(native))
      .toFixed(1)
      .padStart(6)}x`
  )
  await nativeRuntime.dispose()
  await pureRuntime.dispose()
}

main()
