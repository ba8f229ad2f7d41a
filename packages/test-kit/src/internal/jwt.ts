/** RS256 JWTs signed with a key generated in memory, as Cognito signs its tokens. */

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
}

const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const

let shared: Promise<CryptoKeyPair> | undefined

/** One RSA key per process: generating 2048-bit keys is slow, and tests build many pools. */
const keyPair = () => {
  shared ??= crypto.subtle.generateKey(
    { ...algorithm, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ["sign", "verify"]
  ) as Promise<CryptoKeyPair>
  return shared
}

export const makeSigner = (kid: string): Signer => ({
  kid,
  sign: async (claims) => {
    const { privateKey } = await keyPair()
    const header = base64Url(encoder.encode(JSON.stringify({ kid, alg: "RS256" })))
    const payload = base64Url(encoder.encode(JSON.stringify(claims)))
    const signature = new Uint8Array(
      await crypto.subtle.sign(algorithm, privateKey, encoder.encode(`${header}.${payload}`))
    )
    return `${header}.${payload}.${base64Url(signature)}`
  },
  verify: async (token) => {
    const parts = token.split(".")
    if (parts.length !== 3) return undefined
    const [header, payload, signature] = parts as [string, string, string]
    try {
      const { publicKey } = await keyPair()
      const bytes = Uint8Array.from(atob(signature.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))
      const valid = await crypto.subtle.verify(algorithm, publicKey, bytes, encoder.encode(`${header}.${payload}`))
      if (!valid) return undefined
      const json = new TextDecoder().decode(
        Uint8Array.from(atob(payload.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))
      )
      const claims: unknown = JSON.parse(json)
      return typeof claims === "object" && claims !== null ? (claims as Record<string, unknown>) : undefined
    } catch {
      return undefined
    }
  },
  jwks: async () => {
    const { publicKey } = await keyPair()
    const jwk = await crypto.subtle.exportKey("jwk", publicKey)
    return { keys: [{ ...jwk, kid, alg: "RS256", use: "sig" }] }
  }
})
