/**
 * Sign-in: `signIn` starts a flow (SRP by default, with the password verifier answered
 * here), `confirmSignIn` answers the pending challenge, and every answer from Cognito
 * goes through {@link Challenge.interpret}: tokens establish the session, a challenge is
 * remembered for `confirmSignIn` and returned as a `SignInResult`.
 *
 * The pending challenge is the only state here, in a {@link PendingCell.Cell}: set when
 * Cognito asks, read out to be saved, and set from a saved one by `resumeSignIn`.
 *
 * On a pool that tracks devices ({@link Devices}) every request names the user's confirmed
 * device (`DEVICE_KEY`), `DEVICE_SRP_AUTH` is answered here, and tokens with
 * `NewDeviceMetadata` confirm the new device. A device the pool refuses is dropped: `signIn`
 * starts over once as a new device (it still has the password); `confirmSignIn` sends its
 * answer again without the device key.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Auth from "../Auth.js"
import type * as AuthConfig from "../AuthConfig.js"
import * as AuthError from "../AuthError.js"
import type * as IdentityProvider from "../IdentityProvider.js"
import * as PendingSignIn from "../PendingSignIn.js"
import type * as SecureRandom from "../SecureRandom.js"
import * as Srp from "../Srp.js"
import * as SrpMath from "../SrpMath.js"
import * as Challenge from "./challenge.js"
import type * as ClientAuth from "./clientAuth.js"
import * as Devices from "./devices.js"
import * as Input from "./input.js"
import * as PendingCell from "./pendingSignIn.js"
import type * as Session from "./session.js"
import * as tags from "./tags.js"
import * as UserAuth from "./userAuth.js"
import * as WebAuthnCeremony from "./webAuthn.js"

type Secret = Redacted.Redacted<string>
type Response = IdentityProvider.AuthResponse
type ChallengeResponse = Extract<Response, { readonly _tag: "Challenge" }>

/** The sign-in flows. */
export interface SignIn {
  readonly signIn: (input: Auth.SignInInput) => Effect.Effect<Auth.SignInResult, AuthError.AuthError>
  readonly confirmSignIn: (input: Auth.ConfirmSignInInput) => Effect.Effect<Auth.SignInResult, AuthError.AuthError>
  readonly pendingSignIn: Effect.Effect<Option.Option<PendingSignIn.PendingSignIn>>
  readonly resumeSignIn: (pending: PendingSignIn.PendingSignIn) => Effect.Effect<Auth.SignInResult, AuthError.AuthError>
  /** Drops the pending challenge (on sign-out). */
  readonly cancel: Effect.Effect<void>
  /** `USER_AUTH` with ConfirmSignUp's session (`autoSignIn`). */
  readonly signInWithSession: (
    username: string,
    session: Secret,
    method: string
  ) => Effect.Effect<Auth.SignInResult, AuthError.AuthError>
}

/** What sign-in needs. */
export interface Options {
  readonly client: ClientAuth.Client
  readonly session: Session.Session
  readonly random: SecureRandom.SecureRandom.Service
  /** The SRP arithmetic (native on Node, pure BigInt elsewhere). */
  readonly srpMath: SrpMath.SrpMath.Service
  /** The pool name (for SRP), the app client and how long a challenge can be answered. */
  readonly config: AuthConfig.Validated
  /** This client's devices. */
  readonly devices: Devices.Devices
  /** The `WebAuthn` service, when there is one (the `WEB_AUTHN` step). */
  readonly authenticator: WebAuthnCeremony.Authenticator
}

/** Challenges answered with an MFA code (6 to 8 digits). */
const mfaCodeChallenges: ReadonlySet<IdentityProvider.ChallengeName> = new Set([
  "SMS_MFA",
  "SOFTWARE_TOKEN_MFA",
  "EMAIL_OTP",
  "SMS_OTP",
  "MFA_SETUP"
])

const fail = (reason: AuthError.Reason, method: string, description: string) =>
  Effect.fail(AuthError.make(reason, method, description))

/** A challenge answer that also names the user's device. */
const withDevice = (
  request: ClientAuth.RespondToAuthChallengeRequest,
  deviceKey: string
): ClientAuth.RespondToAuthChallengeRequest => ({
  ...request,
  challengeResponses: { ...request.challengeResponses, DEVICE_KEY: Redacted.make(deviceKey) }
})

/** The refusal's own error, once nothing is left to retry. */
const unwrapRefusal = <A>(effect: Effect.Effect<A, AuthError.AuthError | Devices.DeviceRefused>) =>
  Effect.catchTag(effect, "DeviceRefused", (refused) => Effect.fail(refused.error))

export const make = (options: Options): Effect.Effect<SignIn> =>
  Effect.gen(function* () {
    const { client, devices, session } = options
    const pending = yield* PendingCell.make(options.config)
    const { cancel } = pending

    /**
     * Turns Cognito's answer into the next step, remembering a challenge for `confirmSignIn`:
     * `DEVICE_SRP_AUTH` is answered here (once), and new tokens confirm a new device.
     */
    const next = (
      response: Response,
      username: string,
      method: string,
      clientMetadata: Readonly<Record<string, string>> | undefined,
      deviceAnswered = false
    ): Effect.Effect<Auth.SignInResult, AuthError.AuthError | Devices.DeviceRefused> =>
      Effect.gen(function* () {
        if (response._tag === "Challenge" && response.challengeName === "DEVICE_SRP_AUTH" && !deviceAnswered) {
          yield* Effect.logDebug("effect-cognito: challenge DEVICE_SRP_AUTH, answered with this device")
          const answered = yield* devices.answer(response, username, clientMetadata)
          return yield* next(answered, username, method, clientMetadata, true)
        }
        if (response._tag === "Authenticated") {
          const established = yield* session.establish(response.tokens, username, method).pipe(
            Effect.catchIf(
              (error) => error.reason === "Storage",
              (error) => unstored(response.tokens, method, error)
            )
          )
          yield* devices.confirm(established.username, response.tokens)
          yield* cancel
          yield* Effect.logDebug("effect-cognito: signed in").pipe(
            Effect.annotateLogs({ username: established.username })
          )
          return Challenge.SignInResult.SignedIn()
        }
        yield* Effect.logDebug(`effect-cognito: challenge ${response.challengeName}`)
        const parameters = UserAuth.parametersOf(response)
        const remember = (challengeSession: Secret | undefined) =>
          pending.remember({
            username: Challenge.challengeUsername(parameters, username),
            challengeName: response.challengeName,
            session: challengeSession,
            parameters
          })
        const interpretation = Challenge.interpret(response.challengeName, parameters)
        switch (interpretation._tag) {
          case "Wait":
            yield* remember(response.session)
            return interpretation.result
          case "SetUpTotp": {
            if (response.session === undefined)
              return yield* fail("InvalidResponse", method, "MFA_SETUP came without a session")
            const association = yield* client.associateSoftwareToken({ session: response.session })
            yield* remember(association.session ?? response.session)
            return Challenge.SignInResult.MfaSetup({
              allowedMfaTypes: interpretation.allowedMfaTypes,
              totpSharedSecret: association.secretCode
            })
          }
          case "WebAuthn": {
            // The passkey answers at once: no step for the caller, nothing left pending on failure.
            const answered = yield* Effect.flatMap(
              WebAuthnCeremony.assert(options.authenticator, interpretation.requestOptions, method),
              (credential) =>
                respond(
                  {
                    challengeName: "WEB_AUTHN",
                    username: Challenge.challengeUsername(parameters, username),
                    session: response.session,
                    challengeResponses: { CREDENTIAL: credential },
                    clientMetadata
                  },
                  "retry"
                )
            ).pipe(Effect.tapError(() => cancel))
            return yield* next(answered, username, method, clientMetadata, deviceAnswered)
          }
          case "Refusal":
            yield* cancel
            return yield* fail(interpretation.reason, method, interpretation.description)
        }
      })

    /**
     * A sign-in whose session cannot be stored: the refresh token Cognito just issued is
     * revoked (best effort) so no live token is left behind that nobody holds, and the
     * sign-in fails with `Storage`; the user stays signed out.
     */
    const unstored = (tokens: IdentityProvider.AuthenticationResult, method: string, error: AuthError.AuthError) =>
      Effect.gen(function* () {
        yield* cancel
        const revoked =
          tokens.refreshToken === undefined
            ? true
            : yield* client.revokeToken({ token: tokens.refreshToken }).pipe(
                Effect.as(true),
                Effect.catch((revokeError) =>
                  Effect.logWarning("effect-cognito: revoking the unstored refresh token failed").pipe(
                    Effect.annotateLogs({ reason: revokeError.reason }),
                    Effect.as(false)
                  )
                )
              )
        return yield* Effect.fail(
          AuthError.make(
            "Storage",
            method,
            `signed in, but the session could not be stored, so the user stays signed out; the new refresh token ${
              revoked ? "was revoked" : "could not be revoked"
            }`,
            { cause: error }
          )
        )
      })

    /**
     * Answers a challenge with the user's confirmed device as `DEVICE_KEY` (when `offer`). A
     * device the pool does not know is dropped, then `"refuse"` reports it (`signIn` starts
     * over) and `"retry"` sends the answer again without it.
     */
    const respond = (
      request: ClientAuth.RespondToAuthChallengeRequest,
      unknownDevice: "refuse" | "retry",
      offer = true
    ): Effect.Effect<Response, AuthError.AuthError | Devices.DeviceRefused> =>
      Effect.gen(function* () {
        const device = offer ? yield* devices.offered(request.username) : undefined
        if (device === undefined) return yield* client.respondToAuthChallenge(request)
        const again: (
          error: AuthError.AuthError
        ) => Effect.Effect<Response, AuthError.AuthError | Devices.DeviceRefused> =
          unknownDevice === "retry"
            ? () => client.respondToAuthChallenge(request)
            : (error) => Effect.fail(new Devices.DeviceRefused({ error }))
        return yield* Effect.catchIf(
          client.respondToAuthChallenge(withDevice(request, device.deviceKey)),
          Devices.isUnknownDevice,
          (error) => Effect.andThen(devices.drop(request.username, "the user pool does not know it"), again(error))
        )
      })

    /** Answers PASSWORD_VERIFIER with the SRP password claim (and the user's device, when `offerDevice`). */
    const passwordVerifier = (
      challenge: ChallengeResponse,
      ephemeral: Srp.Ephemeral,
      password: Secret,
      clientMetadata: Readonly<Record<string, string>> | undefined,
      offerDevice: boolean
    ) =>
      Effect.gen(function* () {
        const { USER_ID_FOR_SRP, SALT, SRP_B, SECRET_BLOCK } = challenge.parameters
        if (USER_ID_FOR_SRP === undefined || SALT === undefined || SRP_B === undefined || SECRET_BLOCK === undefined)
          return yield* fail(
            "InvalidResponse",
            "signIn",
            "PASSWORD_VERIFIER lacks one of USER_ID_FOR_SRP, SALT, SRP_B, SECRET_BLOCK"
          )
        const timestamp = Srp.formatTimestamp(new Date(yield* Clock.currentTimeMillis))
        const claim = yield* Srp.passwordClaim({
          poolName: options.config.poolName,
          userIdForSrp: USER_ID_FOR_SRP,
          password,
          ephemeral,
          salt: SALT,
          srpB: SRP_B,
          secretBlock: SECRET_BLOCK,
          timestamp
        }).pipe(Effect.provideService(SrpMath.SrpMath, options.srpMath))
        return yield* respond(
          {
            challengeName: "PASSWORD_VERIFIER",
            // Cognito names the user in USERNAME (the real username when signing in with an alias);
            // USER_ID_FOR_SRP only enters the SRP math.
            username: challenge.parameters.USERNAME ?? USER_ID_FOR_SRP,
            session: challenge.session,
            challengeResponses: {
              PASSWORD_CLAIM_SECRET_BLOCK: Redacted.make(SECRET_BLOCK),
              TIMESTAMP: Redacted.make(timestamp),
              PASSWORD_CLAIM_SIGNATURE: Redacted.make(claim.signature)
            },
            clientMetadata
          },
          "refuse",
          offerDevice
        )
      })

    const requirePassword = (input: Auth.SignInInput) =>
      input.password === undefined
        ? fail("InvalidInput", "signIn", `the ${input.flow ?? "USER_SRP_AUTH"} flow needs a password`)
        : Effect.succeed(input.password)

    const newEphemeral = Srp.generateEphemeral.pipe(
      Effect.provideService(tags.secureRandom, options.random),
      Effect.provideService(SrpMath.SrpMath, options.srpMath)
    )

    const signIn = (input: Auth.SignInInput) =>
      Effect.gen(function* () {
        const username = yield* Effect.fromResult(Input.username("signIn", input.username))
        if (input.password !== undefined) yield* Effect.fromResult(Input.password("signIn", input.password))
        const clientMetadata = yield* Effect.fromResult(Input.clientMetadata("signIn", input.clientMetadata))
        if (Option.isSome(yield* session.current))
          return yield* fail("AlreadySignedIn", "signIn", "a user is signed in; sign out first")
        yield* cancel
        const flow = input.flow ?? "USER_SRP_AUTH"

        /** One sign-in; with `offerDevice`, each request names the user's device. */
        const attempt = (offerDevice: boolean) =>
          Effect.gen(function* () {
            const device = offerDevice ? yield* devices.offered(username) : undefined
            const common = { username, clientMetadata, deviceKey: device?.deviceKey }
            const initiate = (request: ClientAuth.InitiateAuthRequest) =>
              Effect.catchIf(
                client.initiateAuth(request),
                (error) => device !== undefined && Devices.isUnknownDevice(error),
                (error) =>
                  Effect.andThen(
                    devices.drop(username, "the user pool does not know it"),
                    Effect.fail(new Devices.DeviceRefused({ error }))
                  )
              )
            let response: Response
            if (flow === "USER_PASSWORD_AUTH") {
              const password = yield* requirePassword(input)
              response = yield* initiate({ authFlow: flow, password, ...common })
            } else if (flow === "CUSTOM_AUTH" && input.password === undefined) {
              response = yield* initiate({ authFlow: flow, ...common })
            } else if (flow === "USER_AUTH") {
              const factor = yield* Effect.fromResult(UserAuth.preferredOf("signIn", input))
              const password = UserAuth.isPasswordFactor(factor) ? yield* requirePassword(input) : undefined
              const ephemeral = factor === "PASSWORD_SRP" ? yield* newEphemeral : undefined
              response = yield* initiate({
                authFlow: flow,
                preferredChallenge: factor,
                password: factor === "PASSWORD" ? password : undefined,
                srpA: ephemeral?.srpA,
                ...common
              })
              if (
                ephemeral !== undefined &&
                password !== undefined &&
                response._tag === "Challenge" &&
                response.challengeName === "PASSWORD_VERIFIER"
              )
                response = yield* passwordVerifier(response, ephemeral, password, clientMetadata, offerDevice)
            } else {
              const password = yield* requirePassword(input)
              const ephemeral = yield* newEphemeral
              response = yield* initiate({ authFlow: flow, srpA: ephemeral.srpA, ...common })
              if (response._tag === "Challenge" && response.challengeName === "PASSWORD_VERIFIER")
                response = yield* passwordVerifier(response, ephemeral, password, clientMetadata, offerDevice)
            }
            return yield* next(response, username, "signIn", clientMetadata)
          })

        // A device the pool refused is dropped by now: once more, as a new device.
        return yield* attempt(true).pipe(
          Effect.catchTag("DeviceRefused", () => attempt(false)),
          unwrapRefusal
        )
      }).pipe(Effect.withSpan("Auth.signIn"))

    /** Sends the answer to the pending challenge. */
    const answerPending = (
      p: PendingSignIn.PendingSignIn,
      input: Auth.ConfirmSignInInput
    ): Effect.Effect<
      Response | { readonly _tag: "Step"; readonly result: Auth.SignInResult },
      AuthError.AuthError | Devices.DeviceRefused
    > =>
      Effect.gen(function* () {
        const answer = Challenge.answer(p.challengeName, input, p.challengeParameters)
        switch (answer._tag) {
          case "Refusal":
            return yield* fail(answer.reason, "confirmSignIn", answer.description)
          case "AskPassword": {
            // No request yet: the selection waits, as the chosen factor, for the password.
            const result = yield* pending.resume(
              new PendingSignIn.PendingSignIn({ ...p, challengeName: answer.factor })
            )
            return { _tag: "Step", result } as const
          }
          case "PasswordSrp": {
            const ephemeral = yield* newEphemeral
            const verifier = yield* respond(
              {
                challengeName: "SELECT_CHALLENGE",
                username: p.username,
                session: p.session,
                challengeResponses: {
                  ANSWER: Redacted.make("PASSWORD_SRP"),
                  SRP_A: Redacted.make(ephemeral.srpA)
                },
                clientMetadata: input.clientMetadata
              },
              "retry"
            )
            if (verifier._tag !== "Challenge" || verifier.challengeName !== "PASSWORD_VERIFIER") return verifier
            return yield* passwordVerifier(verifier, ephemeral, input.challengeResponse, input.clientMetadata, true)
          }
          case "Respond":
            return yield* respond(
              {
                challengeName: answer.challengeName ?? p.challengeName,
                username: p.username,
                session: p.session,
                challengeResponses: answer.challengeResponses,
                clientMetadata: input.clientMetadata
              },
              "retry"
            )
          case "VerifySoftwareToken": {
            if (p.session === undefined)
              return yield* fail("InvalidResponse", "confirmSignIn", "MFA_SETUP has no session")
            const verified = yield* client.verifySoftwareToken({
              session: p.session,
              userCode: input.challengeResponse
            })
            if (verified.status !== "SUCCESS")
              return yield* fail("CodeMismatch", "confirmSignIn", "the authenticator code was not accepted")
            return yield* respond(
              {
                challengeName: "MFA_SETUP",
                username: p.username,
                session: verified.session ?? p.session,
                challengeResponses: {},
                clientMetadata: input.clientMetadata
              },
              "retry"
            )
          }
        }
      })

    const confirmSignIn = (input: Auth.ConfirmSignInInput) =>
      Effect.gen(function* () {
        const method = "confirmSignIn"
        const p = yield* pending.take(method)
        const checked: Auth.ConfirmSignInInput = {
          challengeResponse: mfaCodeChallenges.has(p.challengeName)
            ? yield* Effect.fromResult(Input.mfaCode(method, input.challengeResponse, "challengeResponse"))
            : yield* Effect.fromResult(Input.challengeResponse(method, input.challengeResponse)),
          userAttributes: yield* Effect.fromResult(Input.attributes(method, input.userAttributes)),
          clientMetadata: yield* Effect.fromResult(Input.clientMetadata(method, input.clientMetadata))
        }
        const response = yield* answerPending(p, checked).pipe(
          unwrapRefusal,
          Effect.tapError((error) =>
            // An expired or spent session cannot be answered again: the user starts over.
            error.reason === "NotAuthorized" || error.reason === "ExpiredCode" ? cancel : Effect.void
          )
        )
        if (response._tag === "Step") return response.result
        return yield* unwrapRefusal(next(response, p.username, "confirmSignIn", checked.clientMetadata))
      }).pipe(Effect.withSpan("Auth.confirmSignIn"))

    const signInWithSession = (username: string, signUpSession: Secret, method: string) =>
      Effect.gen(function* () {
        if (Option.isSome(yield* session.current))
          return yield* fail("AlreadySignedIn", method, "a user is signed in; sign out first")
        yield* cancel
        const response = yield* client.initiateAuth({ authFlow: "USER_AUTH", username, session: signUpSession })
        return yield* unwrapRefusal(next(response, username, method, undefined))
      })

    const resumeSignIn = (saved: PendingSignIn.PendingSignIn) =>
      Effect.gen(function* () {
        if (Option.isSome(yield* session.current))
          return yield* fail("AlreadySignedIn", "resumeSignIn", "a user is signed in; sign out first")
        return yield* pending.resume(saved)
      }).pipe(Effect.withSpan("Auth.resumeSignIn"))

    return { signIn, confirmSignIn, pendingSignIn: pending.get, resumeSignIn, cancel, signInWithSession }
  })
