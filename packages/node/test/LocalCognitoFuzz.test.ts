/**
 * A property test of the local Cognito's request decoding over HTTP (issue 19, "Done
 * when"): fast-check sends arbitrary bodies (any JSON, the real members with any values,
 * any text, any bytes), deeply nested ones (whole or inside a member, closed or not),
 * oversized ones (declared or chunked) and random `X-Amz-Target`s (real actions of both
 * services, made-up ones, none). Every answer is an AWS error (`__type`, `message`, the
 * `x-amzn-ErrorType` header) with a 4xx status: none is a 500 and none hangs. Mixed in,
 * the passwordless and passkey requests (issue 22) with a real client, user and access
 * token but garbage elsewhere: USER_AUTH InitiateAuth, RespondToAuthChallenge to a real
 * SELECT_CHALLENGE / EMAIL_OTP / WEB_AUTHN session (or none), and the four WebAuthn
 * actions (CompleteWebAuthnRegistration after a real start, with its challenge or not);
 * those may succeed, but none is a 500 either. After the run, the heap returns near where
 * it was before it (after a forced GC).
 *
 * Deterministic: a fixed seed and a fixed number of runs.
 */
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import {
  AdminConfirmSignUpCommand,
  CompleteWebAuthnRegistrationCommand,
  type CompleteWebAuthnRegistrationCommandInput,
  StartWebAuthnRegistrationCommand
} from "@aws-sdk/client-cognito-identity-provider"
import * as WebAuthn from "@effect-cognito/core/WebAuthn"
import * as SoftwareAuthenticator from "@effect-cognito/test-kit/SoftwareAuthenticator"
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import * as LocalCognito from "../src/LocalCognito.js"
import { newUsername, sdk, sdkPasswordSignIn, signUp } from "./localSdk.js"
import { type RawAnswer, jsonOf, send } from "./rawHttp.js"

const maxBody = 1024 * 1024

const userPoolActions = [
  "SignUp",
  "ConfirmSignUp",
  "ResendConfirmationCode",
  "InitiateAuth",
  "RespondToAuthChallenge",
  "GetTokensFromRefreshToken",
  "GlobalSignOut",
  "RevokeToken",
  "ForgotPassword",
  "ConfirmForgotPassword",
  "ChangePassword",
  "GetUser",
  "UpdateUserAttributes",
  "GetUserAttributeVerificationCode",
  "VerifyUserAttribute",
  "DeleteUser",
  "AssociateSoftwareToken",
  "VerifySoftwareToken",
  "CreateUserPool",
  "DescribeUserPool",
  "CreateUserPoolClient",
  "DescribeUserPoolClient",
  "AdminCreateUser",
  "AdminConfirmSignUp",
  "AdminGetUser",
  "AdminSetUserPassword",
  "AdminSetUserMFAPreference",
  "AdminDisableUser",
  "AdminDeleteUser",
  "AdminUserGlobalSignOut",
  "ListUsers",
  "StartWebAuthnRegistration",
  "CompleteWebAuthnRegistration",
  "ListWebAuthnCredentials",
  "DeleteWebAuthnCredential",
  "__proto__",
  "constructor",
  "toString"
]
const identityActions = [
  "CreateIdentityPool",
  "DescribeIdentityPool",
  "GetId",
  "GetCredentialsForIdentity",
  "__proto__"
]

/** Visible ASCII and spaces: what a header value may hold. */
const headerText = fc.string({
  unit: fc.constantFrom(..." !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`az{|}~\t"),
  maxLength: 80
})

const target = fc.oneof(
  fc.constantFrom(...userPoolActions).map((action) => `AWSCognitoIdentityProviderService.${action}`),
  fc.constantFrom(...identityActions).map((action) => `AWSCognitoIdentityService.${action}`),
  fc
    .tuple(fc.constantFrom("AWSCognitoIdentityProviderService.", "AWSCognitoIdentityService.", "", "."), headerText)
    .map(([service, action]) => `${service}${action}`),
  headerText,
  fc.constant(undefined)
)

const member = fc.constantFrom(
  "ClientId",
  "Username",
  "Password",
  "UserAttributes",
  "AuthFlow",
  "AuthParameters",
  "ChallengeName",
  "ChallengeResponses",
  "Session",
  "AccessToken",
  "RefreshToken",
  "Token",
  "UserPoolId",
  "IdentityPoolId",
  "IdentityId",
  "Logins",
  "ClientMetadata",
  "ConfirmationCode",
  "Filter",
  "Limit",
  "Credential",
  "CredentialId",
  "MaxResults",
  "NextToken",
  "__proto__",
  "constructor"
)

/** JSON nested `depth` deep (arrays, objects or both), closed or cut short. */
const deep = fc
  .record({
    depth: fc.integer({ min: 60, max: 20_000 }),
    shape: fc.constantFrom("array", "object", "mixed"),
    inner: fc.constantFrom("1", '"x"', "null", "[]", "{}"),
    closed: fc.boolean()
  })
  .map(({ closed, depth, inner, shape }) => {
    const opens: Array<string> = []
    const closes: Array<string> = []
    for (let i = 0; i < depth; i++) {
      const array = shape === "array" || (shape === "mixed" && i % 2 === 0)
      opens.push(array ? "[" : '{"a":')
      closes.push(array ? "]" : "}")
    }
    return `${opens.join("")}${inner}${closed ? closes.reverse().join("") : ""}`
  })

type Body =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array }
  | { readonly _tag: "Oversized"; readonly size: number; readonly declared: boolean; readonly fill: string }

const body: fc.Arbitrary<Body> = fc.oneof(
  { weight: 4, arbitrary: fc.json().map((text): Body => ({ _tag: "Text", text })) },
  {
    weight: 4,
    arbitrary: fc
      .dictionary(member, fc.jsonValue())
      .map((value): Body => ({ _tag: "Text", text: JSON.stringify(value) }))
  },
  { weight: 2, arbitrary: fc.string().map((text): Body => ({ _tag: "Text", text })) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 512 }).map((bytes): Body => ({ _tag: "Bytes", bytes })) },
  { weight: 3, arbitrary: deep.map((text): Body => ({ _tag: "Text", text })) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.dictionary(member, fc.jsonValue(), { maxKeys: 3 }), member, deep)
      .map(([others, name, nested]): Body => {
        const rest = JSON.stringify(others).slice(1, -1)
        return { _tag: "Text", text: `{${rest}${rest === "" ? "" : ","}${JSON.stringify(name)}:${nested}}` }
      })
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        size: fc.integer({ min: maxBody + 1, max: 3 * maxBody }),
        declared: fc.boolean(),
        fill: fc.constantFrom(" ", "[", "a")
      })
      .map((oversized): Body => ({ _tag: "Oversized", ...oversized }))
  }
)

/** The body in pieces, and its `content-length` when it is declared (otherwise it goes chunked). */
const pieces = (value: Body): { readonly chunks: Array<Uint8Array>; readonly length?: number } => {
  switch (value._tag) {
    case "Text":
      return { chunks: [Buffer.from(value.text, "utf8")] }
    case "Bytes":
      return { chunks: [value.bytes], length: value.bytes.length }
    case "Oversized": {
      const piece = Buffer.alloc(64 * 1024, value.fill)
      const chunks: Array<Uint8Array> = []
      for (let sent = 0; sent < value.size; sent += piece.length)
        chunks.push(piece.subarray(0, Math.min(piece.length, value.size - sent)))
      return value.declared ? { chunks, length: value.size } : { chunks }
    }
  }
}

/** What the passwordless and passkey requests use: the default pool's client, a user with a passkey, her access token. */
interface Known {
  readonly clientId: string
  readonly username: string
  readonly accessToken: string
  readonly credentialId: string
  /** The user handle of her passkeys: her `sub`, base64url. */
  readonly userHandle: string
}

/** The origin the user's passkey was registered from (the default pool's relying party is `localhost`). */
const origin = "http://localhost:5173"

/**
 * A request of the passwordless and passkey flows: its action and body, and what to do
 * first: open a USER_AUTH session (its `Session` goes into the body, when `real`) or start
 * a passkey registration (its challenge goes into the client data, when `real`).
 */
type Flow =
  | { readonly _tag: "Plain"; readonly action: string; readonly body: Record<string, unknown> }
  | {
      readonly _tag: "Answer"
      readonly preferred: "WEB_AUTHN" | "EMAIL_OTP" | undefined
      readonly real: boolean
      /** The answer names the session's challenge (when `real`). */
      readonly named: boolean
      readonly body: Record<string, unknown>
    }
  | {
      readonly _tag: "Register"
      readonly real: boolean
      readonly clientData: Record<string, unknown>
      readonly body: Record<string, unknown>
    }

const toBase64Url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url")
/** Garbage: mostly text (what most members are), sometimes any JSON. */
const garbage = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) }
)

/** Mostly `arbitrary`, sometimes garbage: a member of a request is wrong now and then, not all of them at once. */
const mostly = <A>(arbitrary: fc.Arbitrary<A>) => fc.oneof({ weight: 9, arbitrary }, { weight: 1, arbitrary: garbage })

/** The flows' requests for `known`: real values where they get a request past its first check, garbage elsewhere. */
const flows = (known: Known): fc.Arbitrary<Flow> => {
  const or = <A>(value: A) => mostly(fc.constant(value))
  const clientData = fc.record(
    {
      type: mostly(fc.constantFrom("webauthn.get", "webauthn.create")),
      challenge: mostly(fc.uint8Array({ maxLength: 32 }).map(toBase64Url)),
      origin: or(origin),
      crossOrigin: garbage,
      topOrigin: garbage
    },
    { requiredKeys: [] }
  )
  const bytes = mostly(fc.uint8Array({ maxLength: 200 }).map(toBase64Url))
  const encoded = (data: unknown) => toBase64Url(Buffer.from(JSON.stringify(data) ?? "", "utf8"))
  const assertion = fc
    .record(
      {
        id: or(known.credentialId),
        rawId: or(known.credentialId),
        type: or("public-key"),
        response: mostly(
          fc.record(
            {
              clientDataJSON: fc.oneof(
                { weight: 4, arbitrary: clientData.map(encoded) },
                { weight: 1, arbitrary: bytes }
              ),
              authenticatorData: bytes,
              signature: bytes,
              userHandle: fc.oneof(or(known.userHandle), bytes)
            },
            { requiredKeys: ["clientDataJSON", "authenticatorData", "signature"] }
          )
        ),
        authenticatorAttachment: or("platform"),
        clientExtensionResults: mostly(fc.constant({}))
      },
      { requiredKeys: ["id", "rawId", "type", "response"] }
    )
    .map((value) => JSON.stringify(value))
  const responses = fc.record(
    {
      USERNAME: or(known.username),
      ANSWER: mostly(fc.constantFrom("WEB_AUTHN", "EMAIL_OTP", "SMS_OTP", "PASSWORD", "PASSWORD_SRP")),
      EMAIL_OTP_CODE: mostly(fc.stringMatching(/^\d{6}$/)),
      CREDENTIAL: fc.oneof(
        { weight: 6, arbitrary: assertion },
        { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
        { weight: 1, arbitrary: garbage }
      )
    },
    { requiredKeys: ["USERNAME"] }
  )
  const userAuth = fc
    .record(
      {
        ClientId: or(known.clientId),
        AuthFlow: or("USER_AUTH"),
        AuthParameters: mostly(
          fc.record(
            {
              USERNAME: or(known.username),
              PREFERRED_CHALLENGE: mostly(
                fc.constantFrom("WEB_AUTHN", "EMAIL_OTP", "SMS_OTP", "PASSWORD", "PASSWORD_SRP", "")
              )
            },
            { requiredKeys: [] }
          )
        )
      },
      { requiredKeys: ["AuthFlow"] }
    )
    .map((body): Flow => ({ _tag: "Plain", action: "InitiateAuth", body }))
  const answer = fc
    .record({
      preferred: fc.constantFrom("WEB_AUTHN" as const, "WEB_AUTHN" as const, "EMAIL_OTP" as const, undefined),
      real: fc.constantFrom(true, true, true, false),
      named: fc.constantFrom(true, true, true, false),
      body: fc.record(
        {
          ClientId: or(known.clientId),
          ChallengeName: mostly(fc.constantFrom("SELECT_CHALLENGE", "EMAIL_OTP", "WEB_AUTHN")),
          Session: mostly(fc.string({ minLength: 20, maxLength: 40 })),
          ChallengeResponses: mostly(responses)
        },
        { requiredKeys: ["ClientId", "ChallengeName"] }
      )
    })
    .map((value): Flow => ({ _tag: "Answer", ...value }))
  const accessToken = or(known.accessToken)
  const register = fc
    .record({
      real: fc.boolean(),
      clientData,
      body: fc.record(
        {
          AccessToken: accessToken,
          Credential: mostly(
            fc.record(
              {
                id: bytes,
                rawId: bytes,
                type: or("public-key"),
                response: mostly(
                  fc.record(
                    {
                      attestationObject: bytes,
                      transports: mostly(fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })),
                      publicKeyAlgorithm: mostly(fc.constantFrom(-7, -257, 0)),
                      publicKey: bytes,
                      authenticatorData: bytes
                    },
                    { requiredKeys: ["attestationObject"] }
                  )
                ),
                authenticatorAttachment: or("cross-platform"),
                clientExtensionResults: mostly(fc.constant({}))
              },
              { requiredKeys: ["id", "rawId", "type", "response"] }
            )
          )
        },
        { requiredKeys: ["AccessToken", "Credential"] }
      )
    })
    .map((value): Flow => ({ _tag: "Register", ...value }))
  const others = fc.oneof(
    fc
      .record({ AccessToken: accessToken }, { requiredKeys: [] })
      .map((body): Flow => ({ _tag: "Plain", action: "StartWebAuthnRegistration", body })),
    fc
      .record(
        {
          AccessToken: accessToken,
          MaxResults: mostly(fc.integer({ min: -1, max: 25 })),
          NextToken: mostly(fc.nat({ max: 3 }).map(String))
        },
        {
          requiredKeys: []
        }
      )
      .map((body): Flow => ({ _tag: "Plain", action: "ListWebAuthnCredentials", body })),
    fc
      .record(
        {
          AccessToken: accessToken,
          CredentialId: mostly(fc.uint8Array({ minLength: 1, maxLength: 40 }).map(toBase64Url))
        },
        { requiredKeys: [] }
      )
      .map((body): Flow => ({ _tag: "Plain", action: "DeleteWebAuthnCredential", body }))
  )
  return fc.oneof(
    { weight: 2, arbitrary: userAuth },
    { weight: 4, arbitrary: answer },
    { weight: 2, arbitrary: register },
    { weight: 2, arbitrary: others }
  )
}

/** A user-pool action with a JSON body, over raw HTTP. */
const call = (port: number, action: string, body: unknown) =>
  send(port, {
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSCognitoIdentityProviderService.${action}`
    },
    body: [Buffer.from(JSON.stringify(body), "utf8")]
  })

/** Sends a flow's request (after what it needs first): the last answer. */
const sendFlow = async (port: number, known: Known, flow: Flow): Promise<RawAnswer> => {
  switch (flow._tag) {
    case "Plain":
      return call(port, flow.action, flow.body)
    case "Answer": {
      const started = await call(port, "InitiateAuth", {
        ClientId: known.clientId,
        AuthFlow: "USER_AUTH",
        AuthParameters: {
          USERNAME: known.username,
          ...(flow.preferred === undefined ? {} : { PREFERRED_CHALLENGE: flow.preferred })
        }
      })
      const { ChallengeName, Session } =
        (jsonOf(started) as { readonly ChallengeName?: unknown; readonly Session?: unknown } | undefined) ?? {}
      const body = flow.real ? { ...flow.body, Session, ...(flow.named ? { ChallengeName } : {}) } : flow.body
      return call(port, "RespondToAuthChallenge", body)
    }
    case "Register": {
      const started = await call(port, "StartWebAuthnRegistration", { AccessToken: known.accessToken })
      const options = (jsonOf(started) as { readonly CredentialCreationOptions?: { readonly challenge?: unknown } })
        ?.CredentialCreationOptions
      const clientData = flow.real ? { ...flow.clientData, challenge: options?.challenge } : flow.clientData
      const credential = flow.body.Credential
      const body =
        typeof credential === "object" && credential !== null && "response" in credential
          ? {
              ...flow.body,
              Credential: {
                ...credential,
                response: {
                  ...(typeof credential.response === "object" ? credential.response : {}),
                  clientDataJSON: toBase64Url(Buffer.from(JSON.stringify(clientData), "utf8"))
                }
              }
            }
          : flow.body
      return call(port, "CompleteWebAuthnRegistration", body)
    }
  }
}

/** A JSON value as the SDK's document type. */
const document = (value: unknown): CompleteWebAuthnRegistrationCommandInput["Credential"] =>
  JSON.parse(JSON.stringify(value))

/** A confirmed user of the default pool with a passkey, and her access token. */
const knownUser = (local: LocalCognito.LocalCognito.Service) =>
  Effect.gen(function* () {
    const { clientId, userPoolId } = local.defaultPool
    const username = newUsername()
    yield* signUp(local, clientId, username)
    yield* Effect.promise(() =>
      sdk(local).send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: username }))
    )
    const signedIn = yield* Effect.promise(() => sdkPasswordSignIn(local, { clientId, username }))
    const accessToken = signedIn.AuthenticationResult?.AccessToken ?? assert.fail("no tokens")
    const started = yield* Effect.promise(() =>
      sdk(local).send(new StartWebAuthnRegistrationCommand({ AccessToken: accessToken }))
    )
    const authenticator = yield* SoftwareAuthenticator.make({ origin })
    const credential = yield* authenticator.create(
      Schema.decodeUnknownSync(WebAuthn.CredentialCreationOptionsJson)(started.CredentialCreationOptions)
    )
    yield* Effect.promise(() =>
      sdk(local).send(
        new CompleteWebAuthnRegistrationCommand({ AccessToken: accessToken, Credential: document(credential) })
      )
    )
    const { sub } = JSON.parse(Buffer.from(accessToken.split(".")[1] ?? "", "base64url").toString("utf8")) as {
      readonly sub: string
    }
    return { clientId, username, accessToken, credentialId: credential.id, userHandle: toBase64Url(Buffer.from(sub)) }
  })

/** A forced GC: `global.gc` when Node was started with --expose-gc, else the same function fetched at run time. */
const collect = (): (() => void) => {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed !== undefined) return exposed
  setFlagsFromString("--expose-gc")
  return runInNewContext("gc") as () => void
}

const heapAfterGc = (gc: () => void) => {
  for (let i = 0; i < 3; i++) gc()
  return process.memoryUsage().heapUsed
}

layer(LocalCognito.layer(), { excludeTestServices: true })("LocalCognito request decoding, fuzzed", (it) => {
  it.effect(
    "arbitrary, deeply nested and oversized bodies under random targets: every answer a 4xx AWS error; passwordless and passkey requests with garbage: never a 500; memory returns",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const port = Number(new URL(local.endpoint).port)
        const gc = collect()

        const known = yield* knownUser(local)

        /** An AWS error: the JSON content type, `__type` and `message`, `x-amzn-ErrorType`. */
        const awsError = (answer: RawAnswer, where: string) => {
          const json = jsonOf(answer) as Record<string, unknown> | undefined
          assert.strictEqual(answer.headers["content-type"], "application/x-amz-json-1.1", where)
          assert.isString(json?.__type, where)
          assert.isString(json?.message, where)
          assert.strictEqual(answer.headers["x-amzn-errortype"], json?.__type, where)
        }

        const request = fc.oneof(
          {
            weight: 3,
            arbitrary: fc
              .tuple(target, body)
              .map(([xAmzTarget, value]) => ({ _tag: "Raw" as const, xAmzTarget, value }))
          },
          { weight: 1, arbitrary: flows(known).map((flow) => ({ _tag: "Flow" as const, flow })) }
        )

        const property = fc.asyncProperty(request, async (input) => {
          if (input._tag === "Flow") {
            // Real values get these past their first checks: they may succeed, never with a 500.
            const answer = await sendFlow(port, known, input.flow)
            const where = `${answer.status} ${answer.text.slice(0, 300)}`
            assert.isBelow(answer.status, 500, where)
            if (answer.status >= 400) awsError(answer, where)
            else assert.strictEqual(answer.status, 200, where)
            return
          }
          const { xAmzTarget, value } = input
          const { chunks, length } = pieces(value)
          const answer = await send(port, {
            headers: {
              "content-type": "application/x-amz-json-1.1",
              ...(xAmzTarget === undefined ? {} : { "x-amz-target": xAmzTarget }),
              ...(length === undefined ? {} : { "content-length": String(length) })
            },
            body: chunks
          })
          const where = `${answer.status} ${answer.text.slice(0, 300)}`
          assert.isAtLeast(answer.status, 400, where)
          assert.isBelow(answer.status, 500, where)
          awsError(answer, where)
          if (value._tag === "Oversized") assert.strictEqual(answer.status, 413, where)
        })

        // A first round warms the server and the client up; the heap after it is the baseline.
        yield* Effect.promise(() => fc.assert(property, { seed: 1919, numRuns: 60 }))
        const baseline = heapAfterGc(gc)
        yield* Effect.promise(() => fc.assert(property, { seed: 19, numRuns: 1000 }))
        const after = heapAfterGc(gc)
        const grown = after - baseline
        assert.isBelow(grown, 16 * 1024 * 1024, `heap grew by ${Math.round(grown / 1024)} KiB over the run`)
      }),
    { timeout: 180_000 }
  )
})
