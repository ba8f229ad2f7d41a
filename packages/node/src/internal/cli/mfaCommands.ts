/**
 * The signed-in user's MFA settings: `mfa setup-totp` (a new authenticator secret, as an
 * `otpauth://` URI on standard output and a QR code drawn on standard error),
 * `mfa verify-totp` (the app's first code, read as every code is: from a hidden prompt or
 * standard input, never from the command line) and `mfa preference` (which methods are on
 * and which one is preferred; shown when no flag is given).
 *
 * @internal
 */
import type * as Auth from "@effect-cognito/core/Auth"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import QRCode from "qrcode"
import { colours } from "./console.js"
import { type Connection, json, optionalText, withAuth } from "./shared.js"

/** The command of a follow-up, with `--local` when this one used it. */
const command = (c: Connection, rest: string) => `effect-cognito ${rest}${c.local ? " --local" : ""}`

/**
 * `uri` as a QR code for a terminal: in colour (black on white, so it scans on a dark
 * terminal too) where colour is shown, else in plain block characters with no escape
 * sequence. `undefined` when it cannot be drawn.
 */
export const qrCode = (uri: string, options: { readonly colour: boolean }): Effect.Effect<string | undefined> =>
  Effect.tryPromise(() =>
    options.colour ? QRCode.toString(uri, { type: "terminal", small: true }) : QRCode.toString(uri, { type: "utf8" })
  ).pipe(Effect.orElseSucceed(() => undefined))

/** The `mfa setup-totp` command. */
export const setUpTotp = Command.make(
  "setup-totp",
  {
    issuer: Flag.String("issuer").pipe(
      Flag.withDefault("effect-cognito"),
      Flag.withDescription("The issuer the authenticator app shows beside the account (default effect-cognito)")
    ),
    accountName: optionalText("account-name", "The account name the app shows (default: the username)")
  },
  (c) =>
    withAuth((auth, io, _config, connection) =>
      Effect.gen(function* () {
        const setup = yield* io.spin("Starting TOTP", auth.setUpTotp())
        const uri = setup.uri({ issuer: c.issuer, accountName: Option.getOrUndefined(c.accountName) })
        const drawn = yield* qrCode(uri, { colour: colours(process.stderr, process.env) })
        if (drawn !== undefined) yield* io.note(`Scan this QR code with an authenticator app:\n${drawn}`)
        yield* io.note(`or enter this key in it: ${Redacted.value(setup.secret)}`)
        yield* io.out(uri)
        yield* io.note(`then run \`${command(connection, "mfa verify-totp")}\` and enter the code the app shows`)
      })
    )
).pipe(
  Command.withDescription(
    "Start TOTP for the signed-in user (AssociateSoftwareToken): prints the otpauth:// URI and draws it as a QR code"
  ),
  Command.withShortDescription("Start TOTP: print the otpauth:// URI and its QR code")
)

/** The `mfa verify-totp` command. */
export const verifyTotp = Command.make(
  "verify-totp",
  {
    deviceName: optionalText("device-name", "A name for the authenticator (VerifySoftwareToken's FriendlyDeviceName)")
  },
  (c) =>
    withAuth((auth, io, _config, connection) =>
      Effect.gen(function* () {
        const code = yield* io.secret("Authenticator code")
        yield* io.spin(
          "Verifying",
          auth.verifyTotpSetup({ code, friendlyDeviceName: Option.getOrUndefined(c.deviceName) })
        )
        yield* io.out(
          `authenticator verified: turn TOTP on with \`${command(connection, "mfa preference --totp preferred")}\``
        )
      })
    )
).pipe(
  Command.withDescription(
    "Verify the authenticator of mfa setup-totp with its code (VerifySoftwareToken); the code is read from a hidden prompt or standard input, never from the command line"
  ),
  Command.withShortDescription("Verify the authenticator app with a code it shows")
)

const settings = ["preferred", "enabled", "not-preferred", "disabled"] as const
type Setting = (typeof settings)[number]

const preferenceOf: Readonly<Record<Setting, Auth.MfaPreference>> = {
  preferred: "PREFERRED",
  enabled: "ENABLED",
  "not-preferred": "NOT_PREFERRED",
  disabled: "DISABLED"
}

const setting = (name: string, method: string) =>
  Flag.Literals(name, settings).pipe(
    Flag.optional,
    Flag.withMetavar(settings.join("|")),
    Flag.withDescription(`${method}: preferred also enables it, not-preferred keeps it enabled`)
  )

const methods: ReadonlyArray<readonly [Auth.MfaType, string]> = [
  ["SMS", "sms"],
  ["TOTP", "totp"],
  ["EMAIL", "email"]
]

/** The user's MFA settings as lines: `totp: preferred`, `sms: enabled`, `email: disabled`. */
export const preferenceLines = (result: Auth.MfaPreferenceResult): ReadonlyArray<string> =>
  methods.map(
    ([type, name]) =>
      `${name}: ${result.preferred === type ? "preferred" : result.enabled.includes(type) ? "enabled" : "disabled"}`
  )

/** The `mfa preference` command. */
export const preference = Command.make(
  "preference",
  {
    json,
    sms: setting("sms", "SMS codes"),
    totp: setting("totp", "An authenticator app (TOTP)"),
    email: setting("email", "Email codes")
  },
  (c) =>
    withAuth((auth, io) =>
      Effect.gen(function* () {
        const input: Auth.UpdateMfaPreferenceInput = {
          sms: Option.getOrUndefined(Option.map(c.sms, (s) => preferenceOf[s])),
          totp: Option.getOrUndefined(Option.map(c.totp, (s) => preferenceOf[s])),
          email: Option.getOrUndefined(Option.map(c.email, (s) => preferenceOf[s]))
        }
        const changing = Option.isSome(c.sms) || Option.isSome(c.totp) || Option.isSome(c.email)
        if (changing) yield* io.spin("Updating", auth.updateMfaPreference(input))
        const now = yield* io.spin("Reading the MFA settings", auth.fetchMfaPreference())
        if (c.json) return yield* io.out(JSON.stringify({ enabled: now.enabled, preferred: now.preferred ?? null }))
        for (const line of preferenceLines(now)) yield* io.out(line)
      })
    )
).pipe(
  Command.withDescription(
    "Show the signed-in user's MFA methods, or turn them on and off and pick the preferred one (SetUserMFAPreference)"
  ),
  Command.withShortDescription("Show or change the MFA methods and the preferred one")
)

/** The `mfa` command: its subcommands only. */
export const mfa = Command.make("mfa").pipe(
  Command.withDescription("The signed-in user's MFA settings: set up an authenticator app (TOTP), choose the methods"),
  Command.withShortDescription("Set up TOTP and choose the signed-in user's MFA methods"),
  Command.withSubcommands([setUpTotp, verifyTotp, preference])
)
