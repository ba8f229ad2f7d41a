import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as Srp from "@effect-cognito/core/Srp"
import { assert, describe, it } from "@effect/vitest"
import * as Cognito from "amazon-cognito-identity-js"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as SrpServer from "../src/internal/srpServer.js"

const poolName = "AbCdEf123"
const userIdForSrp = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
const password = Redacted.make("correct horse ü 😀")
const secretBlock = btoa(Array.from({ length: 96 }, (_, i) => String.fromCharCode((i * 53) & 0xff)).join(""))
const timestamp = "Tue Nov 3 07:05:09 UTC 2026"

interface Stored {
  readonly salt: string
  readonly verifier: bigint
}

/** InitiateAuth on the server, PASSWORD_VERIFIER answered by core's client. */
const signIn = (stored: Stored, options: { readonly password?: Redacted.Redacted<string> } = {}) =>
  Effect.gen(function* () {
    const server = yield* SrpServer.serverEphemeral(stored.verifier)
    const ephemeral = yield* Srp.generateEphemeral
    const { signature } = yield* Srp.passwordClaim({
      poolName,
      userIdForSrp,
      password: options.password ?? password,
      ephemeral,
      salt: stored.salt,
      srpB: server.srpB,
      secretBlock,
      timestamp
    })
    const claim = {
      poolName,
      userIdForSrp,
      verifier: stored.verifier,
      salt: stored.salt,
      b: server.b,
      B: server.B,
      srpA: ephemeral.srpA,
      secretBlock,
      timestamp,
      signature
    }
    return { claim, verify: SrpServer.verifyClaim(claim) }
  })

const registered = SrpServer.makeVerifier({ poolName, userIdForSrp, password })

describe("SrpServer", () => {
  describe("round trip with core's client", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      it.effect(`verifies a claim made with the right password (seed ${seed})`, () =>
        Effect.gen(function* () {
          const { verify } = yield* signIn(yield* registered)
          assert.isTrue(yield* verify)
        }).pipe(Effect.provide(SecureRandom.layerSeeded(seed)))
      )
    }

    it.effect("verifies with the real Web Crypto randomness", () =>
      Effect.gen(function* () {
        const { verify } = yield* signIn(yield* registered)
        assert.isTrue(yield* verify)
      }).pipe(Effect.provide(SecureRandom.layer))
    )

    const salts = {
      "a leading zero byte": "00a1b2c3d4e5f60718293a4b5c6d7e8f",
      "two leading zero bytes and then a top bit": "0000f1b2c3d4e5f60718293a4b5c6d7e",
      "a leading zero nibble": "0fa1b2c3d4e5f60718293a4b5c6d7e8f",
      "the top bit set": "f0a1b2c3d4e5f60718293a4b5c6d7e8f",
      "odd length": "abc"
    }
    for (const [shape, salt] of Object.entries(salts)) {
      it.effect(`agrees with the client on a salt with ${shape}`, () =>
        Effect.gen(function* () {
          const verifier = yield* SrpServer.verifierFor({ poolName, userIdForSrp, password, salt })
          const { verify } = yield* signIn({ salt, verifier })
          assert.isTrue(yield* verify)
        }).pipe(Effect.provide(SecureRandom.layerSeeded(7)))
      )
    }
  })

  describe("refuses", () => {
    const withClaim = <A>(f: (claim: Parameters<typeof SrpServer.verifyClaim>[0]) => Effect.Effect<A>) =>
      Effect.gen(function* () {
        const { claim } = yield* signIn(yield* registered)
        return yield* f(claim)
      }).pipe(Effect.provide(SecureRandom.layerSeeded(11)))

    it.effect("a claim made with a wrong password", () =>
      Effect.gen(function* () {
        const { verify } = yield* signIn(yield* registered, { password: Redacted.make("correct horse ü 😁") })
        assert.isFalse(yield* verify)
      }).pipe(Effect.provide(SecureRandom.layerSeeded(3)))
    )

    it.effect("a tampered secret block", () =>
      withClaim((claim) =>
        Effect.gen(function* () {
          const tampered = `${claim.secretBlock[0] === "A" ? "B" : "A"}${claim.secretBlock.slice(1)}`
          assert.isFalse(yield* SrpServer.verifyClaim({ ...claim, secretBlock: tampered }))
          assert.isTrue(yield* SrpServer.verifyClaim(claim))
        })
      )
    )

    it.effect("a tampered timestamp", () =>
      withClaim((claim) =>
        Effect.gen(function* () {
          assert.isFalse(yield* SrpServer.verifyClaim({ ...claim, timestamp: "Tue Nov 3 07:05:10 UTC 2026" }))
        })
      )
    )

    it.effect("a claim for another user id or pool", () =>
      withClaim((claim) =>
        Effect.gen(function* () {
          assert.isFalse(yield* SrpServer.verifyClaim({ ...claim, userIdForSrp: "someone-else" }))
          assert.isFalse(yield* SrpServer.verifyClaim({ ...claim, poolName: "OtherPool1" }))
        })
      )
    )

    it.effect("a claim checked against another server ephemeral", () =>
      withClaim((claim) =>
        Effect.gen(function* () {
          const other = yield* SrpServer.serverEphemeral(claim.verifier).pipe(
            Effect.provide(SecureRandom.layerSeeded(99))
          )
          assert.isFalse(yield* SrpServer.verifyClaim({ ...claim, b: other.b, B: other.B }))
        })
      )
    )

    it.effect("A ≡ 0 (mod N): 0, N and 2N", () =>
      withClaim((claim) =>
        Effect.gen(function* () {
          for (const A of [0n, Srp.N, 2n * Srp.N]) {
            assert.isFalse(SrpServer.isValidSrpA(A.toString(16)))
            assert.isFalse(yield* SrpServer.verifyClaim({ ...claim, srpA: A.toString(16) }))
          }
        })
      )
    )

    it.effect("an SRP_A that is not hex, and a signature that is not base64 or is truncated", () =>
      withClaim((claim) =>
        Effect.gen(function* () {
          assert.isFalse(SrpServer.isValidSrpA(""))
          assert.isFalse(SrpServer.isValidSrpA("0xabc"))
          assert.isFalse(yield* SrpServer.verifyClaim({ ...claim, srpA: "xyz" }))
          assert.isFalse(yield* SrpServer.verifyClaim({ ...claim, signature: "not base64!" }))
          assert.isFalse(yield* SrpServer.verifyClaim({ ...claim, signature: "" }))
          assert.isFalse(yield* SrpServer.verifyClaim({ ...claim, signature: claim.signature.slice(0, 40) }))
          assert.isFalse(yield* SrpServer.verifyClaim({ ...claim, secretBlock: "%%%" }))
        })
      )
    )
  })

  describe("checkPassword", () => {
    it.effect("accepts the password the verifier was made from and refuses others", () =>
      Effect.gen(function* () {
        const stored = yield* registered
        assert.isTrue(yield* SrpServer.checkPassword({ poolName, userIdForSrp, password, ...stored }))
        assert.isFalse(
          yield* SrpServer.checkPassword({ poolName, userIdForSrp, password: Redacted.make("wrong"), ...stored })
        )
        assert.isFalse(yield* SrpServer.checkPassword({ poolName, userIdForSrp: "bob", password, ...stored }))
      }).pipe(Effect.provide(SecureRandom.layerSeeded(5)))
    )
  })

  describe("values", () => {
    it.effect("makeVerifier draws a 16-byte salt and v = g^x mod N", () =>
      Effect.gen(function* () {
        const sizes: Array<number> = []
        const stored = yield* registered.pipe(
          Effect.provideService(SecureRandom.SecureRandom, {
            nextBytes: (size) =>
              Effect.sync(() => {
                sizes.push(size)
                return new Uint8Array(size).fill(0x9c)
              })
          })
        )
        assert.deepStrictEqual(sizes, [16])
        assert.strictEqual(stored.salt, "9c".repeat(16))
        assert.isTrue(stored.verifier > 1n && stored.verifier < Srp.N)
      })
    )

    it.effect("B = (k·v + g^b) mod N with core's k, and SRP_B is its hex", () =>
      Effect.gen(function* () {
        const stored = yield* registered
        const server = yield* SrpServer.serverEphemeral(stored.verifier)
        const k = yield* Srp.k
        assert.strictEqual(server.B, (k * stored.verifier + Srp.gPow(server.b)) % Srp.N)
        assert.strictEqual(BigInt(`0x${server.srpB}`), server.B)
      }).pipe(Effect.provide(SecureRandom.layerSeeded(9)))
    )

    it.effect("is deterministic under SecureRandom.layerSeeded", () =>
      Effect.gen(function* () {
        const run = Effect.gen(function* () {
          const stored = yield* registered
          return { stored, server: yield* SrpServer.serverEphemeral(stored.verifier) }
        })
        const first = yield* run.pipe(Effect.provide(SecureRandom.layerSeeded(21)))
        const second = yield* run.pipe(Effect.provide(SecureRandom.layerSeeded(21)))
        assert.deepStrictEqual(first, second)
      })
    )
  })

  describe("against amazon-cognito-identity-js", () => {
    interface LibraryRequest {
      readonly AuthParameters?: Readonly<Record<string, string>>
      readonly ChallengeResponses?: Readonly<Record<string, string>>
    }

    /** The library's real USER_SRP_AUTH sign-in, answered by this server. */
    const librarySignIn = (stored: Stored, server: { readonly srpB: string }, libraryPassword: string) =>
      Effect.callback<{ readonly srpA: string; readonly responses: Readonly<Record<string, string>> }, Error>(
        (resume) => {
          let srpA = ""
          const stop = new Error("captured")
          const client = {
            request: (action: string, params: LibraryRequest, callback: (error: unknown, data?: unknown) => void) => {
              if (action === "InitiateAuth") {
                srpA = params.AuthParameters?.SRP_A ?? ""
                callback(null, {
                  ChallengeName: "PASSWORD_VERIFIER",
                  Session: "session",
                  ChallengeParameters: {
                    USERNAME: "alice",
                    USER_ID_FOR_SRP: userIdForSrp,
                    SALT: stored.salt,
                    SRP_B: server.srpB,
                    SECRET_BLOCK: secretBlock
                  }
                })
              } else if (action === "RespondToAuthChallenge") {
                resume(Effect.succeed({ srpA, responses: params.ChallengeResponses ?? {} }))
                callback(stop)
              } else resume(Effect.fail(new Error(`unexpected ${action}`)))
            }
          }
          const pool = new Cognito.CognitoUserPool({ UserPoolId: `us-east-1_${poolName}`, ClientId: "client" })
          Object.assign(pool, { client })
          const user = new Cognito.CognitoUser({ Username: "alice", Pool: pool })
          user.setAuthenticationFlowType("USER_SRP_AUTH")
          user.authenticateUser(new Cognito.AuthenticationDetails({ Username: "alice", Password: libraryPassword }), {
            onSuccess: () => resume(Effect.fail(new Error("unexpected success"))),
            onFailure: (error: Error) => {
              if (error !== stop) resume(Effect.fail(error))
            }
          })
        }
      )

    it.effect("verifies the library's claim with the right password and refuses a wrong one", () =>
      Effect.gen(function* () {
        for (const salt of ["00a1b2c3d4e5f60718293a4b5c6d7e8f", "f0a1b2c3d4e5f60718293a4b5c6d7e8f"]) {
          const verifier = yield* SrpServer.verifierFor({ poolName, userIdForSrp, password, salt })
          const stored = { salt, verifier }
          for (const [attempt, expected] of [
            [Redacted.value(password), true],
            ["wrong password", false]
          ] as const) {
            const server = yield* SrpServer.serverEphemeral(verifier)
            const { srpA, responses } = yield* librarySignIn(stored, server, attempt)
            const valid = yield* SrpServer.verifyClaim({
              poolName,
              userIdForSrp,
              verifier,
              b: server.b,
              B: server.B,
              srpA,
              secretBlock: responses.PASSWORD_CLAIM_SECRET_BLOCK ?? "",
              timestamp: responses.TIMESTAMP ?? "",
              signature: responses.PASSWORD_CLAIM_SIGNATURE ?? ""
            })
            assert.strictEqual(valid, expected, `${salt}, ${attempt}`)
          }
        }
      }).pipe(Effect.provide(SecureRandom.layerSeeded(13)))
    )
  })
})
