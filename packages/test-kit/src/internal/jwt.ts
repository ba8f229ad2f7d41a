/**
 * RS256 JWTs signed with a key generated in memory, as Cognito signs its tokens. The key
 * can be exported and imported (a private JWK), so a pool restored from a snapshot keeps
 * verifying the tokens it issued before; tokens of another pool are verified by that
 * pool's published JWKS.
 */

const encoder = new TextEncoder()

export const base64Url = (bytes: Uint8Array): string => {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

export interface Signer {
  readonly kid: string
  readonly sign: (claims: Readonly<Record<string, unknown>>) => Promise<string>
  readonly verify: (token: string) => Promise<Record<string, unknown> | undefined>
  /** The public key as a JWKS, as Cognito publishes it at `/.well-known/jwks.json`. */
  readonly jwks: () => Promise<{ readonly keys: ReadonlyArray<JsonWebKey & { kid: string; alg: string; use: string }> }>
  /** The private key as a JWK, to carry the signer across a restart ({@link importKeyPair}). */
  readonly privateKey: () => Promise<JsonWebKey>
}

const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const

let shared: Promise<CryptoKeyPair> | undefined

/** One RSA key per process: generating 2048-bit keys is slow, and tests build many pools. */
export const processKeyPair = (): Promise<CryptoKeyPair> => {
  shared ??= crypto.subtle.generateKey(
    { ...algorithm, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ["sign", "verify"]
  ) as Promise<CryptoKeyPair>
  return shared
}

const decodeSegment = (segment: string) =>
  Uint8Array.from(atob(segment.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))

/** The claims of a token whose signature `publicKey` verifies; `undefined` for anything else. */
const verifyWith = async (publicKey: CryptoKey, token: string): Promise<Record<string, unknown> | undefined> => {
  const parts = token.split(".")
  if (parts.length !== 3) return undefined
  const [header, payload, signature] = parts as [string, string, string]
  try {
    const valid = await crypto.subtle.verify(
      algorithm,
      publicKey,
      decodeSegment(signature),
      encoder.encode(`${header}.${payload}`)
    )
    if (!valid) return undefined
    const claims: unknown = JSON.parse(new TextDecoder().decode(decodeSegment(payload)))
    return typeof claims === "object" && claims !== null ? (claims as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** The public half of an RSA JWK. */
const publicJwk = (jwk: JsonWebKey): JsonWebKey => ({ kty: "RSA", n: jwk.n ?? "", e: jwk.e ?? "" })

/** A signer with the key id `kid`, over `keys` (default the process's key pair). */
export const makeSigner = (kid: string, keys: () => Promise<CryptoKeyPair> = processKeyPair): Signer => {
  let exported: Promise<JsonWebKey> | undefined
  return {
    kid,
    sign: async (claims) => {
      const { privateKey } = await keys()
      const header = base64Url(encoder.encode(JSON.stringify({ kid, alg: "RS256" })))
      const payload = base64Url(encoder.encode(JSON.stringify(claims)))
      const signature = new Uint8Array(
        await crypto.subtle.sign(algorithm, privateKey, encoder.encode(`${header}.${payload}`))
      )
      return `${header}.${payload}.${base64Url(signature)}`
    },
    verify: async (token) => verifyWith((await keys()).publicKey, token),
    jwks: async () => {
      const { publicKey } = await keys()
      const jwk = await crypto.subtle.exportKey("jwk", publicKey)
      return { keys: [{ ...jwk, kid, alg: "RS256", use: "sig" }] }
    },
    privateKey: () => {
      exported ??= keys().then(({ privateKey }) => crypto.subtle.exportKey("jwk", privateKey))
      return exported
    }
  }
}

/**
 * The key pair of a private RSA JWK; `undefined` when it is not one, or its halves do not
 * belong together (a probe signed with the private half must verify with the public half).
 */
export const importKeyPair = async (jwk: JsonWebKey): Promise<CryptoKeyPair | undefined> => {
  try {
    const privateKey = await crypto.subtle.importKey("jwk", { ...jwk, key_ops: ["sign"] }, algorithm, true, ["sign"])
    const publicKey = await crypto.subtle.importKey("jwk", publicJwk(jwk), algorithm, true, ["verify"])
    const probe = encoder.encode("effect-cognito key probe")
    const signature = await crypto.subtle.sign(algorithm, privateKey, probe)
    return (await crypto.subtle.verify(algorithm, publicKey, signature, probe)) ? { privateKey, publicKey } : undefined
  } catch {
    return undefined
  }
}

/** The claims of a token signed by one of `jwks`'s keys (by `kid`); `undefined` for anything else. */
export const verifyWithJwks = async (
  jwks: { readonly keys: ReadonlyArray<JsonWebKey> },
  token: string
): Promise<Record<string, unknown> | undefined> => {
  try {
    const header: unknown = JSON.parse(new TextDecoder().decode(decodeSegment(token.split(".")[0] ?? "")))
    const kid = typeof header === "object" && header !== null ? (header as Record<string, unknown>).kid : undefined
    const jwk = jwks.keys.find((key) => (key as { kid?: unknown }).kid === kid)
    if (jwk === undefined) return undefined
    const publicKey = await crypto.subtle.importKey("jwk", publicJwk(jwk), algorithm, false, ["verify"])
    return await verifyWith(publicKey, token)
  } catch {
    return undefined
  }
}
