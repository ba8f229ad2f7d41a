import { afterEach, assert, describe, it, vi } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as AuthError from "../src/AuthError.js"
import * as encoding from "../src/internal/encoding.js"
import * as internal from "../src/internal/srp.js"
import * as SecureRandom from "../src/SecureRandom.js"
import * as Srp from "../src/Srp.js"
import {
  authenticateUntil,
  big,
  generator,
  LibBigInteger,
  type LibraryRequest,
  library,
  referenceHelper,
  withLibraryFixed
} from "./referenceSrp.js"
import * as Cognito from "amazon-cognito-identity-js"

// ---------------------------------------------------------------------------
// amazon-cognito-identity-js, the reference client (typed in referenceSrp.ts)
// ---------------------------------------------------------------------------

const fromLib = (n: LibBigInteger) => BigInt(`0x${n.toString(16)}`)

interface Case {
  readonly a: bigint
  readonly poolName: string
  readonly username: string
  readonly userIdForSrp: string
  readonly password: string
  readonly salt: string
  readonly srpB: string
  readonly secretBlock: string
  readonly date: Date
}

/**
 * Runs the library's real USER_SRP_AUTH sign-in against a fake client that answers
 * InitiateAuth with this case's PASSWORD_VERIFIER challenge, and captures SRP_A and the
 * RespondToAuthChallenge ChallengeResponses. The library's a and clock are fixed.
 */
const libraryClaim = (c: Case) =>
  withLibraryFixed(c, () =>
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
                  USERNAME: c.username,
                  USER_ID_FOR_SRP: c.userIdForSrp,
                  SALT: c.salt,
                  SRP_B: c.srpB,
                  SECRET_BLOCK: c.secretBlock
                }
              })
            } else if (action === "RespondToAuthChallenge") {
              resume(Effect.succeed({ srpA, responses: params.ChallengeResponses ?? {} }))
              callback(stop)
            } else resume(Effect.fail(new Error(`unexpected ${action}`)))
          }
        }
        const pool = new Cognito.CognitoUserPool({ UserPoolId: `us-east-1_${c.poolName}`, ClientId: "client" })
        Object.assign(pool, { client })
        const user = new Cognito.CognitoUser({ Username: c.username, Pool: pool })
        user.setAuthenticationFlowType("USER_SRP_AUTH")
        authenticateUntil(user, c.password, stop, resume)
      }
    )
  )

/** The library's `getPasswordAuthenticationKey` with this case's a. */
const libraryKey = (c: Case) =>
  Effect.acquireUseRelease(
    Effect.sync(() =>
      vi.spyOn(library.AuthenticationHelper.prototype, "generateRandomSmallA").mockReturnValue(big(c.a))
    ),
    () =>
      Effect.callback<Uint8Array, unknown>((resume) => {
        const helper = new library.AuthenticationHelper(c.poolName)
        helper.getPasswordAuthenticationKey(
          c.userIdForSrp,
          c.password,
          new LibBigInteger(c.srpB, 16),
          new LibBigInteger(c.salt, 16),
          (error, key) => resume(error ? Effect.fail(error) : Effect.succeed(key))
        )
      }),
    () => Effect.sync(() => vi.restoreAllMocks())
  )

// ---------------------------------------------------------------------------
// Random cases from a seeded generator (reproducible)
// ---------------------------------------------------------------------------

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")
const base64 = (bytes: Uint8Array) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""))

const alphanumeric = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"]
const passwordAlphabet = [
  ...alphanumeric,
  ..." :!@#$%^&*()_+-=[]{};'\\\"|,.<>/?`~",
  "é",
  "ü",
  "ß",
  "Ω",
  "名",
  "前",
  "パ",
  "😀",
  "🔐",
  "\u0000",
  "\u200d"
]
const userIds = (r: ReturnType<typeof generator>) =>
  r.pick([
    () => `${hex(r.bytes(4))}-${hex(r.bytes(2))}-${hex(r.bytes(2))}-${hex(r.bytes(2))}-${hex(r.bytes(6))}`,
    () => r.text(alphanumeric, 1, 20),
    () => `${r.text(alphanumeric, 1, 8)}@example.com`,
    () => `jürgen.${r.text(alphanumeric, 1, 4)}`,
    () => `ユーザー${r.int(1000)}`
  ])()

/** Salt shapes: top nibble 8-f, a leading zero byte, a leading zero nibble, 1-7, odd length. */
const salt = (r: ReturnType<typeof generator>, shape: number) => {
  const bytes = r.bytes(16)
  switch (shape) {
    case 0:
      bytes[0] = 0x80 | bytes[0]!
      return hex(bytes)
    case 1:
      bytes[0] = 0
      bytes[1] = r.int(2) === 0 ? 0x80 | bytes[1]! : 0
      return hex(bytes)
    case 2:
      bytes[0] = 1 + r.int(15)
      return hex(bytes)
    case 3:
      bytes[0] = 0x10 + r.int(0x70)
      return hex(bytes)
    default:
      return hex(bytes).slice(1)
  }
}

const makeCase = (seed: number): Case => {
  const r = generator(seed)
  const B = Srp.modPow(Srp.g, BigInt(`0x${hex(r.bytes(32))}`), Srp.N)
  const username = userIds(r)
  return {
    a: BigInt(`0x${hex(r.bytes(128))}`) % Srp.N,
    poolName: r.text(alphanumeric, 9, 9),
    username,
    userIdForSrp: seed % 3 === 0 ? username : userIds(r),
    password: r.text(passwordAlphabet, 1, 40),
    salt: salt(r, seed % 5),
    srpB: seed % 4 === 0 ? B.toString(16).toUpperCase() : B.toString(16),
    secretBlock: base64(r.bytes(1 + r.int(1200))),
    date: new Date(Date.UTC(2000, 0, 1) + r.int(100 * 365 * 24 * 3600) * 1000)
  }
}

const ours = (c: Case) =>
  Effect.gen(function* () {
    const ephemeral = Srp.ephemeralFromSecret(c.a)
    const input = {
      poolName: c.poolName,
      userIdForSrp: c.userIdForSrp,
      password: Redacted.make(c.password),
      ephemeral,
      salt: c.salt,
      srpB: c.srpB
    }
    const key = yield* Srp.passwordAuthenticationKey(input)
    const timestamp = Srp.formatTimestamp(c.date)
    const { signature } = yield* Srp.passwordClaim({ ...input, secretBlock: c.secretBlock, timestamp })
    return { srpA: ephemeral.srpA, key, timestamp, signature }
  })

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe("Srp", () => {
  describe("differential against amazon-cognito-identity-js", () => {
    for (let seed = 1; seed <= 24; seed++) {
      const c = makeCase(seed)
      it.effect(`case ${seed}: same SRP_A, key, TIMESTAMP and PASSWORD_CLAIM_SIGNATURE as the library's sign-in`, () =>
        Effect.gen(function* () {
          const mine = yield* ours(c)
          const theirs = yield* libraryClaim(c)
          const theirKey = yield* libraryKey(c)
          assert.strictEqual(mine.srpA, theirs.srpA)
          assert.strictEqual(hex(mine.key), hex(theirKey))
          assert.strictEqual(theirs.responses.USERNAME, c.userIdForSrp)
          assert.strictEqual(theirs.responses.PASSWORD_CLAIM_SECRET_BLOCK, c.secretBlock)
          assert.strictEqual(mine.timestamp, theirs.responses.TIMESTAMP)
          assert.strictEqual(mine.signature, theirs.responses.PASSWORD_CLAIM_SIGNATURE)
        })
      )
    }

    it.effect("covers every salt shape and both padHex branches of A and B", () =>
      Effect.sync(() => {
        const cases = Array.from({ length: 24 }, (_, i) => makeCase(i + 1))
        const saltFirst = new Set(cases.map((c) => Srp.padHex(BigInt(`0x${c.salt}`)).slice(0, 2)))
        assert.isTrue(saltFirst.has("00"), "a salt whose top bit is set")
        assert.isTrue(
          cases.some((c) => c.salt.startsWith("00")),
          "a salt with a leading zero byte"
        )
        assert.isTrue(
          cases.some((c) => c.salt.length % 2 === 1),
          "an odd-length salt"
        )
        assert.isTrue(cases.some((c) => Srp.padHex(BigInt(`0x${c.srpB}`)).startsWith("00")))
        assert.isTrue(cases.some((c) => !Srp.padHex(BigInt(`0x${c.srpB}`)).startsWith("00")))
        assert.isTrue(cases.some((c) => Srp.ephemeralFromSecret(c.a).srpA.length % 2 === 1))
      })
    )

    it.effect("agrees when SRP_B is not reduced modulo N (u hashes B as sent)", () =>
      Effect.gen(function* () {
        const base = makeCase(99)
        const c = { ...base, srpB: (BigInt(`0x${base.srpB}`) + Srp.N).toString(16) }
        const mine = yield* ours(c)
        const theirs = yield* libraryClaim(c)
        assert.strictEqual(mine.signature, theirs.responses.PASSWORD_CLAIM_SIGNATURE)
        assert.notStrictEqual(mine.signature, (yield* ours(base)).signature)
      })
    )

    it.effect("computes the library's k, padHex and modPow", () =>
      Effect.gen(function* () {
        assert.strictEqual(yield* Srp.k, fromLib(referenceHelper.k))
        assert.strictEqual(Srp.N, fromLib(referenceHelper.N))
        assert.strictEqual(Srp.NHex.toLowerCase(), referenceHelper.N.toString(16))
        const r = generator(7)
        const values = [0n, 1n, 0x7fn, 0x80n, 0xffn, 0x100n, 0xabcn, 0x8abcn, Srp.N, Srp.N - 1n, 2n ** 255n]
        for (let i = 0; i < 40; i++) values.push(BigInt(`0x${hex(r.bytes(1 + r.int(48)))}`))
        for (const value of values)
          assert.strictEqual(Srp.padHex(value), referenceHelper.padHex(big(value)), String(value))
        for (let i = 0; i < 5; i++) {
          const base = BigInt(`0x${hex(r.bytes(384))}`)
          const exponent = BigInt(`0x${hex(r.bytes(1 + r.int(160)))}`)
          let expected = 0n
          big(base).modPow(big(exponent), referenceHelper.N, (_, result) => {
            expected = fromLib(result)
          })
          assert.strictEqual(Srp.modPow(base, exponent, Srp.N), expected)
        }
      })
    )
  })

  describe("padHex", () => {
    it("pads to even length and prepends 00 when the first nibble is 8-f", () => {
      assert.strictEqual(Srp.padHex(0n), "00")
      assert.strictEqual(Srp.padHex(0x14n), "14")
      assert.strictEqual(Srp.padHex(0x8n), "08")
      assert.strictEqual(Srp.padHex(0xecn), "00ec")
      assert.strictEqual(Srp.padHex(0xabcn), "0abc")
      assert.strictEqual(Srp.padHex(0x8abcn), "008abc")
      assert.strictEqual(Srp.padHex(Srp.N).slice(0, 4), "00ff")
    })

    it("throws a RangeError for a negative integer", () => {
      assert.throws(() => Srp.padHex(-1n), RangeError)
    })
  })

  describe("modPow and gPow", () => {
    const naive = (base: bigint, exponent: bigint, modulus: bigint) => {
      let result = 1n
      base = ((base % modulus) + modulus) % modulus
      while (exponent > 0n) {
        if (exponent & 1n) result = (result * base) % modulus
        base = (base * base) % modulus
        exponent >>= 1n
      }
      return result % modulus
    }

    it("agrees with square-and-multiply, including negative bases and small moduli", () => {
      const r = generator(11)
      for (let i = 0; i < 30; i++) {
        const modulus = i % 3 === 0 ? Srp.N : BigInt(`0x${hex(r.bytes(1 + r.int(64)))}`) | 1n
        const base = BigInt(`0x${hex(r.bytes(1 + r.int(400)))}`) * (i % 2 === 0 ? -1n : 1n)
        const exponent = BigInt(`0x0${hex(r.bytes(r.int(130)))}`) + BigInt(i)
        assert.strictEqual(Srp.modPow(base, exponent, modulus), naive(base, exponent, modulus))
      }
      assert.strictEqual(Srp.modPow(5n, 0n, 7n), 1n)
      assert.strictEqual(Srp.modPow(5n, 3n, 1n), 0n)
      assert.strictEqual(Srp.modPow(0n, 3n, 7n), 0n)
      assert.throws(() => Srp.modPow(2n, -1n, 7n), RangeError)
      assert.throws(() => Srp.modPow(2n, 1n, 0n), RangeError)
    })

    it("gPow(e) equals modPow(g, e, N), including e = 0 and e beyond N - 1", () => {
      const r = generator(13)
      const exponents = [0n, 1n, 31n, 32n, 33n, Srp.N - 2n, Srp.N - 1n, Srp.N, 3n * Srp.N + 5n]
      for (let i = 0; i < 20; i++) exponents.push(BigInt(`0x${hex(r.bytes(1 + r.int(160)))}`))
      for (const e of exponents) assert.strictEqual(Srp.gPow(e), naive(Srp.g, e, Srp.N), String(e))
    })
  })

  describe("formatTimestamp", () => {
    it("does not pad the day of month", () => {
      assert.strictEqual(Srp.formatTimestamp(new Date(Date.UTC(2026, 10, 3, 7, 5, 9))), "Tue Nov 3 07:05:09 UTC 2026")
    })

    it("zero-pads midnight", () => {
      assert.strictEqual(Srp.formatTimestamp(new Date(Date.UTC(2024, 1, 29, 0, 0, 0))), "Thu Feb 29 00:00:00 UTC 2024")
    })

    it("formats the last second of a year", () => {
      assert.strictEqual(
        Srp.formatTimestamp(new Date(Date.UTC(2025, 11, 31, 23, 59, 59, 999))),
        "Wed Dec 31 23:59:59 UTC 2025"
      )
    })

    it("uses UTC, whatever the local offset of the Date", () => {
      assert.strictEqual(Srp.formatTimestamp(new Date("2026-01-01T00:30:00+02:00")), "Wed Dec 31 22:30:00 UTC 2025")
    })

    it("matches the library's DateHelper on random instants", () => {
      const r = generator(17)
      for (let i = 0; i < 50; i++) {
        const date = new Date(r.int(4102444800) * 1000)
        vi.useFakeTimers({ toFake: ["Date"] })
        vi.setSystemTime(date)
        const theirs = new library.DateHelper().getNowString()
        vi.useRealTimers()
        assert.strictEqual(Srp.formatTimestamp(date), theirs)
      }
    })
  })

  describe("secretHash", () => {
    // node:crypto, imported with a computed type so that core's program keeps no Node types.
    const nodeHmac = (key: string, message: string) =>
      Effect.promise(
        () =>
          import("node:crypto" as string) as Promise<{
            createHmac(
              algorithm: string,
              key: string
            ): { update(data: string, encoding: "utf8"): { digest(encoding: "base64"): string } }
          }>
      ).pipe(Effect.map((nodeCrypto) => nodeCrypto.createHmac("sha256", key).update(message, "utf8").digest("base64")))

    it.effect("is Base64(HMAC-SHA256(clientSecret, username + clientId)), as node:crypto computes it", () =>
      Effect.gen(function* () {
        const inputs = [
          ["alice", "1example23456789", "secret"],
          ["ユーザー", "abcdefghijklmnopqrstuvwxyz", "s3cr3t with spaces and ü"],
          ["", "client", "k"]
        ] as const
        for (const [username, clientId, secret] of inputs) {
          const hash = yield* Srp.secretHash(username, clientId, Redacted.make(secret))
          assert.strictEqual(Redacted.value(hash), yield* nodeHmac(secret, username + clientId))
        }
      })
    )

    it.effect("stays redacted", () =>
      Effect.gen(function* () {
        const hash = yield* Srp.secretHash("alice", "client", Redacted.make("secret"))
        assert.notInclude(String(hash), Redacted.value(hash))
        assert.notInclude(JSON.stringify({ hash }), Redacted.value(hash))
      })
    )
  })

  describe("must fail", () => {
    const c = makeCase(5)
    const claim = (overrides: Partial<Case>) => {
      const input = { ...c, ...overrides }
      return Srp.passwordClaim({
        poolName: input.poolName,
        userIdForSrp: input.userIdForSrp,
        password: Redacted.make(input.password),
        ephemeral: Srp.ephemeralFromSecret(input.a),
        salt: input.salt,
        srpB: input.srpB,
        secretBlock: input.secretBlock,
        timestamp: Srp.formatTimestamp(input.date)
      })
    }
    const failsWithInvalidResponse = (overrides: Partial<Case>, mentions: string) =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(claim(overrides))
        assert.strictEqual(error._tag, "AuthError")
        assert.strictEqual(error.reason, "InvalidResponse")
        assert.strictEqual(error.method, "signIn")
        assert.include(error.description ?? "", mentions)
        assert.notInclude(String(error), c.password)
        assert.notInclude(JSON.stringify(error), c.password)
      })

    it.effect("fails with InvalidResponse when B = 0", () => failsWithInvalidResponse({ srpB: "0" }, "SRP_B"))
    it.effect("fails with InvalidResponse when B = N", () =>
      failsWithInvalidResponse({ srpB: Srp.N.toString(16) }, "zero modulo N")
    )
    it.effect("fails with InvalidResponse when B = 2N", () =>
      failsWithInvalidResponse({ srpB: (2n * Srp.N).toString(16) }, "zero modulo N")
    )
    it.effect("fails with InvalidResponse when SRP_B is not hex", () =>
      failsWithInvalidResponse({ srpB: "0x1234" }, "SRP_B is not a hexadecimal string")
    )
    it.effect("fails with InvalidResponse when SALT is not hex", () =>
      failsWithInvalidResponse({ salt: "" }, "SALT is not a hexadecimal string")
    )
    it.effect("fails with InvalidResponse when SECRET_BLOCK is not base64", () =>
      failsWithInvalidResponse({ secretBlock: "not base64!" }, "SECRET_BLOCK")
    )

    it.effect("fails with InvalidResponse when u = H(A | B) is zero (hash forced to zero)", () =>
      Effect.gen(function* () {
        const uInput = hex(
          encoding.hexToBytes(Srp.padHex(Srp.ephemeralFromSecret(c.a).A) + Srp.padHex(BigInt(`0x${c.srpB}`)))
        )
        const digest = crypto.subtle.digest.bind(crypto.subtle)
        vi.spyOn(crypto.subtle, "digest").mockImplementation((algorithm, data) =>
          ArrayBuffer.isView(data) && hex(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)) === uInput
            ? Promise.resolve(new ArrayBuffer(32))
            : digest(algorithm, data)
        )
        yield* failsWithInvalidResponse({}, "u = H(A | B) is zero")
      })
    )

    it.effect("the u guard refuses 0 and accepts anything else", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(internal.checkU(0n))
        assert.isTrue(AuthError.isAuthError(error))
        assert.strictEqual(error.reason, "InvalidResponse")
        assert.strictEqual(yield* internal.checkU(1n), 1n)
      })
    )

    it("refuses a secret a ≡ 0 (mod N)", () => {
      assert.throws(() => Srp.ephemeralFromSecret(0n), RangeError)
      assert.throws(() => Srp.ephemeralFromSecret(Srp.N), RangeError)
    })
  })

  describe("ephemeral", () => {
    it.effect("is deterministic under SecureRandom.layerSeeded", () =>
      Effect.gen(function* () {
        const first = yield* Srp.generateEphemeral.pipe(Effect.provide(SecureRandom.layerSeeded(42)))
        const second = yield* Srp.generateEphemeral.pipe(Effect.provide(SecureRandom.layerSeeded(42)))
        const other = yield* Srp.generateEphemeral.pipe(Effect.provide(SecureRandom.layerSeeded(43)))
        assert.strictEqual(first.A, second.A)
        assert.strictEqual(first.srpA, second.srpA)
        assert.notStrictEqual(first.A, other.A)
      })
    )

    it.effect("draws a from 128 random bytes and A = g^a mod N, sent as unpadded hex", () =>
      Effect.gen(function* () {
        const sizes: Array<number> = []
        const bytes = Uint8Array.from({ length: 128 }, (_, i) => (i * 37 + 1) & 0xff)
        const ephemeral = yield* Srp.generateEphemeral.pipe(
          Effect.provideService(SecureRandom.SecureRandom, {
            nextBytes: (size) =>
              Effect.sync(() => {
                sizes.push(size)
                return bytes
              })
          })
        )
        assert.deepStrictEqual(sizes, [128])
        assert.strictEqual(Redacted.value(ephemeral.a), BigInt(`0x${hex(bytes)}`))
        assert.strictEqual(ephemeral.A, Srp.modPow(Srp.g, Redacted.value(ephemeral.a), Srp.N))
        assert.strictEqual(ephemeral.srpA, ephemeral.A.toString(16))
      })
    )

    it.effect("draws again when a ≡ 0 (mod N)", () =>
      Effect.gen(function* () {
        let calls = 0
        const ephemeral = yield* Srp.generateEphemeral.pipe(
          Effect.provideService(SecureRandom.SecureRandom, {
            nextBytes: (size) =>
              Effect.sync(() => (calls++ === 0 ? new Uint8Array(size) : new Uint8Array(size).fill(7)))
          })
        )
        assert.strictEqual(calls, 2)
        assert.strictEqual(Redacted.value(ephemeral.a), BigInt(`0x${"07".repeat(128)}`))
      })
    )

    it.effect("keeps a out of logs and JSON", () =>
      Effect.gen(function* () {
        const ephemeral = yield* Srp.generateEphemeral.pipe(Effect.provide(SecureRandom.layerSeeded(1)))
        const a = Redacted.value(ephemeral.a)
        assert.notInclude(String(ephemeral.a), a.toString())
        assert.notInclude(JSON.stringify({ ...ephemeral, A: ephemeral.srpA }), a.toString(16))
      })
    )
  })
})
