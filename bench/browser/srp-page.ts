/**
 * Bench page: the SRP client math of one sign-in (compute A, then the key and the
 * PASSWORD_CLAIM_SIGNATURE for a PASSWORD_VERIFIER challenge) inside the browser, ours
 * (BigInt + Web Crypto) against amazon-cognito-identity-js (its BigInteger and SHA-256,
 * as `CognitoUser` uses them), in the same page.
 */
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as Srp from "@effect-cognito/core/Srp"
import { Sha256 } from "@aws-crypto/sha256-js"
import * as Cognito from "amazon-cognito-identity-js"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

interface LibBigInteger {
  toString(radix?: number): string
}
interface LibHelper {
  readonly N: LibBigInteger
  getPasswordAuthenticationKey(
    username: string,
    password: string,
    serverB: LibBigInteger,
    salt: LibBigInteger,
    callback: (error: unknown, key: Uint8Array) => void
  ): void
}
const { AuthenticationHelper: Helper } = Cognito as unknown as {
  readonly AuthenticationHelper: new (pool: string) => LibHelper
}
const LibBigInteger = new Helper("warmup").N.constructor as unknown as new (
  value: string,
  radix: number
) => LibBigInteger

const poolName = "AbCdEf123"
const userIdForSrp = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
const password = "correct horse battery staple"
const salt = "f0a1b2c3d4e5f60718293a4b5c6d7e8f"
const srpB = Srp.gPow(0x1234567890abcdef1234567890abcdef1234567890abcdefn).toString(16)
const utf8 = (text: string) => new TextEncoder().encode(text)
const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes))
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
const secretBlock = toBase64(Uint8Array.from({ length: 96 }, (_, i) => (i * 53) & 0xff))
const timestamp = Srp.formatTimestamp(new Date())

const ours = Effect.gen(function* () {
  const ephemeral = yield* Srp.generateEphemeral
  return (yield* Srp.passwordClaim({
    poolName,
    userIdForSrp,
    password: Redacted.make(password),
    ephemeral,
    salt,
    srpB,
    secretBlock,
    timestamp
  })).signature
}).pipe(Effect.provide(SecureRandom.layer))

const library = () =>
  new Promise<string>((resolve, reject) => {
    // The constructor draws a and computes A, as `CognitoUser.authenticateUser` does.
    const helper = new Helper(poolName)
    helper.getPasswordAuthenticationKey(
      userIdForSrp,
      password,
      new LibBigInteger(srpB, 16),
      new LibBigInteger(salt, 16),
      (error, key) => {
        if (error) return reject(error)
        const parts = [utf8(poolName), utf8(userIdForSrp), fromBase64(secretBlock), utf8(timestamp)]
        const message = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
        let offset = 0
        for (const part of parts) {
          message.set(part, offset)
          offset += part.length
        }
        const hmac = new Sha256(key)
        hmac.update(message)
        resolve(toBase64(hmac.digestSync()))
      }
    )
  })

/** Milliseconds per operation over `n` runs, after 3 warm-up runs. */
const measure = async (run: () => Promise<string>, n: number) => {
  for (let i = 0; i < 3; i++) await run()
  const start = performance.now()
  for (let i = 0; i < n; i++) await run()
  return (performance.now() - start) / n
}

const bench = async (iterations: number) => {
  const signatures = [await Effect.runPromise(ours), await library()]
  if (!signatures.every((s) => /^[A-Za-z0-9+/]{43}=$/.test(s))) throw new Error("a claim is not a SHA-256 signature")
  const oursMs = await measure(() => Effect.runPromise(ours), iterations * 5)
  const libraryMs = await measure(library, iterations)
  return { oursMs, libraryMs, userAgent: navigator.userAgent }
}

Object.assign(window, { srpBench: bench })
