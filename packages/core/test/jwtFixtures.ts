/**
 * Tokens for the verifier's tests, signed here with node:crypto (not with the code under
 * test): RSA keys generated in the test, Cognito's claims, raw control over every header,
 * payload and signature byte (alg none, HS256 with the public key as the secret, padded
 * or tampered segments), and a JWKS endpoint over a scripted `HttpClient`.
 */
import { createHmac, createSign, generateKeyPairSync, type KeyObject } from "node:crypto"
import * as Fake from "./FakeHttpClient.js"

export const region = "eu-west-1"
export const userPoolId = "eu-west-1_Verify1"
export const clientId = "verifyclient123"
export const issuer = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`
export const jwksUrl = `${issuer}/.well-known/jwks.json`
/** Now, for both verifiers: 2025-06-15T16:26:40Z, in seconds. */
export const now = 1_750_004_800

export interface PublicJwk {
  readonly kty: string
  readonly n: string
  readonly e: string
  readonly kid: string
  readonly alg?: string
  readonly use?: string
}

export interface TestKey {
  readonly kid: string
  readonly privateKey: KeyObject
  readonly publicPem: string
  /** As Cognito publishes it: `kty`, `n`, `e`, `kid`, `alg: RS256`, `use: sig`. */
  readonly jwk: PublicJwk
}

/** A 2048-bit RSA key (as Cognito's), with its public JWK. */
export const makeKey = (kid: string): TestKey => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
  const exported = publicKey.export({ format: "jwk" })
  return {
    kid,
    privateKey,
    publicPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
    jwk: { kty: "RSA", n: String(exported.n), e: String(exported.e), kid, alg: "RS256", use: "sig" }
  }
}

export const b64url = (value: unknown): string =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url")

/** An RS256 signature of the signing input, base64url. */
export const rs256 = (key: TestKey, input: string): string =>
  createSign("RSA-SHA256").update(input).sign(key.privateKey).toString("base64url")

/** A token of these segments as written (padded, tampered…), signed over exactly them. */
export const signSegments = (key: TestKey, header: string, payload: string): string =>
  `${header}.${payload}.${rs256(key, `${header}.${payload}`)}`

/** A Cognito-style RS256 token: header `{ kid, alg: "RS256" }` unless `header` says otherwise. */
export const sign = (key: TestKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string =>
  signSegments(key, b64url({ kid: key.kid, alg: "RS256", ...header }), b64url(claims))

/** An HS256 token whose secret is `secret` (e.g. the public key's PEM, the classic confusion attack). */
export const hs256 = (secret: string, header: Record<string, unknown>, claims: Record<string, unknown>): string => {
  const input = `${b64url({ alg: "HS256", ...header })}.${b64url(claims)}`
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`
}

/** The claims Cognito puts in an access token issued an hour before it expires. */
export const accessClaims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  sub: "8f1b6c2e-0000-4000-8000-0000000000a1",
  "cognito:groups": ["admins", "readers"],
  iss: issuer,
  client_id: clientId,
  origin_jti: "a7c6b5d4-0000-4000-8000-000000000001",
  event_id: "e1e2e3e4-0000-4000-8000-000000000002",
  token_use: "access",
  scope: "aws.cognito.signin.user.admin orders/read",
  auth_time: now - 600,
  exp: now + 3000,
  iat: now - 600,
  jti: "j1j2j3j4-0000-4000-8000-000000000003",
  username: "alice",
  ...overrides
})

/** The claims Cognito puts in an id token issued an hour before it expires. */
export const idClaims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  sub: "8f1b6c2e-0000-4000-8000-0000000000a1",
  "cognito:groups": ["admins", "readers"],
  email_verified: true,
  iss: issuer,
  "cognito:username": "alice",
  origin_jti: "a7c6b5d4-0000-4000-8000-000000000001",
  aud: clientId,
  event_id: "e1e2e3e4-0000-4000-8000-000000000002",
  token_use: "id",
  auth_time: now - 600,
  exp: now + 3000,
  iat: now - 600,
  jti: "j5j6j7j8-0000-4000-8000-000000000004",
  email: "alice@example.com",
  ...overrides
})

/** Claims without `name`. */
export const without = (claims: Record<string, unknown>, name: string): Record<string, unknown> => {
  const { [name]: _, ...rest } = claims
  return rest
}

/** A JWKS endpoint that serves whatever `current` holds when asked, and counts the requests. */
export const jwksEndpoint = (current: () => Fake.Reply) => Fake.make(() => current())

/** A JWKS document as a 200 JSON answer. */
export const jwksReply = (keys: ReadonlyArray<unknown>): Fake.Reply => ({
  _tag: "Respond",
  status: 200,
  text: JSON.stringify({ keys }),
  headers: { "content-type": "application/json" }
})
