/**
 * Micro-benchmark: one SRP password claim (a fresh ephemeral, then the key and the
 * PASSWORD_CLAIM_SIGNATURE for a PASSWORD_VERIFIER challenge), ours against
 * amazon-cognito-identity-js.
 *
 *   npx tsx bench/srp.ts [iterations]   (default 30, scaled by BENCH_SCALE)
 *
 * - ours: `Srp.generateEphemeral` + `Srp.passwordClaim` (BigInt + Web Crypto).
 * - library, AuthenticationHelper path: `new AuthenticationHelper(pool)` (a and A) +
 *   `getPasswordAuthenticationKey` + the HMAC of the claim, as `CognitoUser` does it.
 * - library, full sign-in: `CognitoUser.authenticateUser` (USER_SRP_AUTH) against an
 *   in-process fake client that answers InitiateAuth and captures the claim.
 */
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as Srp from "@effect-cognito/core/Srp"
import * as Cognito from "amazon-cognito-identity-js"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { createHmac } from "node:crypto"

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

/** Iterations: the argument, else 30 scaled by `BENCH_SCALE` (default 1), at least 1. */
const iterations = Number(process.argv[2] ?? Math.max(1, Math.round(30 * Number(process.env.BENCH_SCALE ?? 1))))
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
}).pipe(Effect.provide(SecureRandom.layer))

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

const measure = async (name: string, run: () => Promise<unknown>, n: number) => {
  for (let i = 0; i < 3; i++) await run()
  const start = performance.now()
  for (let i = 0; i < n; i++) await run()
  const seconds = (performance.now() - start) / 1000
  const opsPerSecond = n / seconds
  console.log(
    `${name.padEnd(44)} ${opsPerSecond.toFixed(1).padStart(8)} ops/s  ${((seconds / n) * 1000).toFixed(2)} ms/op`
  )
  return opsPerSecond
}

const main = async () => {
  console.log(`SRP password claim (3072-bit group), ${iterations} iterations each, Node ${process.version}\n`)
  const mine = await measure("effect-cognito Srp", () => Effect.runPromise(ours), iterations * 5)
  const helper = await measure("amazon-cognito-identity-js helper path", libraryHelper, iterations)
  const signIn = await measure("amazon-cognito-identity-js authenticateUser", librarySignIn, iterations)
  console.log(`\nratio vs helper path:      ${(mine / helper).toFixed(1)}x`)
  console.log(`ratio vs authenticateUser: ${(mine / signIn).toFixed(1)}x`)
}

main()
