import * as Srp from "@effect-cognito/core/Srp"
import * as SrpMath from "@effect-cognito/core/SrpMath"
import * as NodeSrpMath from "@effect-cognito/node/NodeSrpMath"
import { afterEach, assert, describe, it, vi } from "@effect/vitest"
import * as Cognito from "amazon-cognito-identity-js"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { createDiffieHellmanGroup, createHash } from "node:crypto"

const native = NodeSrpMath.make()
const pure = SrpMath.pure

/** A seeded generator (mulberry32), so every case is reproducible. */
const generator = (seed: number) => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const hex = (bytes: number) => Array.from({ length: bytes }, () => int(256).toString(16).padStart(2, "0")).join("")
  const big = (bytes: number) => BigInt(`0x0${hex(bytes)}`)
  return { int, hex, big }
}

interface Case {
  readonly a: bigint
  readonly poolName: string
  readonly userIdForSrp: string
  readonly password: string
  readonly salt: string
  readonly srpB: string
  readonly secretBlock: string
  readonly timestamp: string
}

const makeCase = (seed: number): Case => {
  const r = generator(seed)
  const saltHex = r.hex(16)
  return {
    a: r.big(128) % Srp.N,
    poolName: `Pool${r.hex(3)}`,
    userIdForSrp: `${r.hex(4)}-${r.hex(2)}-${r.hex(2)}-${r.hex(2)}-${r.hex(6)}`,
    password: `pässword-${r.hex(1 + r.int(20))}`,
    // every salt shape: top bit set, leading zero byte, odd length
    salt: seed % 3 === 0 ? `00${saltHex.slice(2)}` : seed % 3 === 1 ? `8${saltHex.slice(1)}` : saltHex.slice(1),
    srpB: (seed % 4 === 0 ? r.big(384) : Srp.gPow(r.big(32))).toString(16),
    secretBlock: Buffer.from(r.hex(1 + r.int(300)), "hex").toString("base64"),
    timestamp: Srp.formatTimestamp(new Date(Date.UTC(2020, 0, 1) + r.int(1e9) * 1000))
  }
}

/** A, S, the key and the signature of a case, all through `math`. */
const claim = (c: Case, math: SrpMath.SrpMath.Service) =>
  Effect.gen(function* () {
    const ephemeral = Srp.ephemeralFromSecret(c.a, math)
    const input = {
      poolName: c.poolName,
      userIdForSrp: c.userIdForSrp,
      password: Redacted.make(c.password),
      ephemeral,
      salt: c.salt,
      srpB: c.srpB
    }
    const key = yield* Srp.passwordAuthenticationKey(input)
    const { signature } = yield* Srp.passwordClaim({ ...input, secretBlock: c.secretBlock, timestamp: c.timestamp })
    return { A: ephemeral.A, key: Buffer.from(key).toString("hex"), signature }
  }).pipe(Effect.provideService(SrpMath.SrpMath, math))

/** S = (B - k·g^x)^(a + u·x) mod N through `math`, from the case's own x and u. */
const sessionS = (c: Case, math: SrpMath.SrpMath.Service) =>
  Effect.gen(function* () {
    const k = yield* Srp.k
    const A = math.gPow(c.a)
    const B = BigInt(`0x${c.srpB}`)
    const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest()
    const fromHex = (hex: string) => Buffer.from(hex, "hex")
    const u = BigInt(`0x${sha256(fromHex(Srp.padHex(A) + Srp.padHex(B))).toString("hex")}`)
    const inner = sha256(Buffer.from(`${c.poolName}${c.userIdForSrp}:${c.password}`, "utf8"))
    const x = BigInt(`0x${sha256(Buffer.concat([fromHex(Srp.padHex(BigInt(`0x${c.salt}`))), inner])).toString("hex")}`)
    return math.modPow(B - ((k * math.gPow(x)) % Srp.N), c.a + u * x)
  })

// amazon-cognito-identity-js, typed just enough (its .d.ts omits the SRP helper)
interface LibBigInteger {
  toString(radix?: number): string
}
interface LibHelper {
  generateRandomSmallA(): LibBigInteger
  getLargeAValue(callback: (error: unknown, A: LibBigInteger) => void): void
  getPasswordAuthenticationKey(
    username: string,
    password: string,
    serverB: LibBigInteger,
    salt: LibBigInteger,
    callback: (error: unknown, key: Uint8Array) => void
  ): void
}
const library = Cognito as unknown as {
  readonly AuthenticationHelper: { new (poolName: string): LibHelper; readonly prototype: LibHelper }
}
const LibBigInteger = (new library.AuthenticationHelper("reference") as unknown as { N: object }).N
  .constructor as unknown as new (
  value: string,
  radix: number
) => LibBigInteger

/** The library's A and key for a case, with its secret a fixed to the case's. */
const libraryKey = (c: Case) =>
  Effect.callback<{ readonly A: bigint; readonly key: string }, unknown>((resume) => {
    vi.spyOn(library.AuthenticationHelper.prototype, "generateRandomSmallA").mockReturnValue(
      new LibBigInteger(c.a.toString(16), 16)
    )
    const helper = new library.AuthenticationHelper(c.poolName)
    helper.getLargeAValue((error, A) => {
      if (error) return resume(Effect.fail(error))
      helper.getPasswordAuthenticationKey(
        c.userIdForSrp,
        c.password,
        new LibBigInteger(c.srpB, 16),
        new LibBigInteger(c.salt, 16),
        (error, key) =>
          resume(
            error
              ? Effect.fail(error)
              : Effect.succeed({ A: BigInt(`0x${A.toString(16)}`), key: Buffer.from(key).toString("hex") })
          )
      )
    })
  })

afterEach(() => {
  vi.restoreAllMocks()
})

describe("NodeSrpMath", () => {
  it("uses OpenSSL's modp15 group, whose prime is Cognito's N and generator is 2", () => {
    const group = createDiffieHellmanGroup(NodeSrpMath.groupName)
    assert.strictEqual(BigInt(`0x${group.getPrime("hex")}`), Srp.N)
    assert.strictEqual(group.getPrime("hex").toUpperCase(), Srp.NHex)
    assert.strictEqual(BigInt(`0x${group.getGenerator("hex")}`), Srp.g)
    assert.strictEqual(NodeSrpMath.prime, Srp.N)
    assert.notStrictEqual(native, SrpMath.pure)
  })

  it("agrees with the pure math on the inputs OpenSSL refuses and at the edges of the group", () => {
    const { N } = Srp
    const bases = [0n, 1n, 2n, 3n, N - 2n, N - 1n, N, N + 1n, 2n * N - 1n, -2n]
    const exponents = [0n, 1n, 2n, 3n, (N - 1n) / 2n, N - 1n, N, 2n * (N - 1n), 5n * N + 7n]
    for (const base of bases)
      for (const exponent of exponents)
        assert.strictEqual(native.modPow(base, exponent), pure.modPow(base, exponent), `${base}^${exponent}`)
    for (const exponent of [...exponents, -1n, -(N - 1n), -N])
      assert.strictEqual(native.gPow(exponent), pure.gPow(exponent), `g^${exponent}`)
    assert.throws(() => native.modPow(2n, -1n), RangeError)
  }, 120_000)

  it("computes ordinary powers in OpenSSL, without falling back to the pure math", () => {
    const modPow = vi.spyOn(SrpMath.pure, "modPow")
    const gPow = vi.spyOn(SrpMath.pure, "gPow")
    const r = generator(7)
    for (let i = 0; i < 8; i++) {
      native.modPow(r.big(384), r.big(130))
      native.gPow(r.big(128))
    }
    assert.strictEqual(modPow.mock.calls.length, 0)
    assert.strictEqual(gPow.mock.calls.length, 0)
  })

  it("agrees with the pure math on seeded random bases and exponents of every size", () => {
    const r = generator(2026)
    for (let i = 0; i < 36; i++) {
      const base = r.big(1 + r.int(400))
      const exponent = r.big(1 + r.int(200))
      assert.strictEqual(native.modPow(base, exponent), pure.modPow(base, exponent), `case ${i}`)
      assert.strictEqual(native.gPow(exponent), pure.gPow(exponent), `case ${i}`)
    }
  }, 120_000)

  describe("native and pure give identical A, S, keys and PASSWORD_CLAIM_SIGNATUREs", () => {
    for (let seed = 1; seed <= 36; seed++) {
      it.effect(`seeded case ${seed}`, () =>
        Effect.gen(function* () {
          const c = makeCase(seed)
          const mine = yield* claim(c, native)
          const reference = yield* claim(c, pure)
          assert.deepStrictEqual(mine, reference)
          assert.strictEqual(yield* sessionS(c, native), yield* sessionS(c, pure))
        })
      )
    }

    it.effect(
      "and the native ones equal amazon-cognito-identity-js's A and key",
      () =>
        Effect.gen(function* () {
          for (const seed of [101, 102, 103, 104]) {
            const c = makeCase(seed)
            const mine = yield* claim(c, native)
            const theirs = yield* libraryKey(c)
            assert.strictEqual(mine.A, theirs.A, `case ${seed}`)
            assert.strictEqual(mine.key, theirs.key, `case ${seed}`)
          }
        }),
      // amazon-cognito-identity-js's pure-JavaScript SRP: about 1 s a case, more on a loaded machine
      60_000
    )
  })
})
