/**
 * The CLI's device and MFA-settings commands as a subprocess against the local Cognito (in
 * this process, on a loopback port), on a user pool that tracks devices, remembering them
 * only when asked, with optional MFA: `mfa setup-totp` (the URI, a QR code) and
 * `mfa verify-totp`, `mfa preference`, `devices`, `remember-device` (the next sign-in asks
 * for the password alone, answered by device SRP), `forget-device` (TOTP is asked again) and
 * `delete-attributes`. No device password reaches the output.
 */
import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as MfaCommands from "../src/internal/cli/mfaCommands.js"
import * as Cli from "./cliProcess.js"
import { createPoolWithClient } from "./localSdk.js"

const password = "Corr3ct-Horse!"

/** A failure as the CLI reports it: one line naming `expected`, a non-zero exit, no stack trace. */
const assertOneLineFailure = (result: Cli.Result, expected: string) => {
  assert.notStrictEqual(result.code, 0, `expected a failure, got:\n${result.stdout}${result.stderr}`)
  const errorLines = Cli.lines(result.stderr).filter((line) => !/^[\w ]+: ?$/.test(line))
  assert.strictEqual(errorLines.length, 1, `expected one line, got:\n${result.stderr}`)
  assert.include(errorLines[0], expected)
  assert.notMatch(result.stderr, /\n\s+at /, "a stack trace")
}

/** A pool that tracks devices (remembered on the user's word) with optional MFA, its app client, and a user. */
const trackingPool = Effect.gen(function* () {
  const local = yield* LocalCognito.LocalCognito
  const { userPoolId, clientId } = yield* createPoolWithClient(
    local,
    {
      PoolName: "cli-devices",
      MfaConfiguration: "OPTIONAL",
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true }
    },
    "cli",
    ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  )
  const cognito = yield* local.pool(userPoolId)
  yield* cognito.adminCreateUser({
    username: "dora",
    messageAction: "SUPPRESS",
    userAttributes: { email: "dora@example.com", nickname: "dee" }
  })
  yield* cognito.adminSetUserPassword("dora", Redacted.make(password), { permanent: true })
  const env = {
    COGNITO_USER_POOL_ID: userPoolId,
    COGNITO_CLIENT_ID: clientId,
    COGNITO_ENDPOINT: local.endpoint,
    EFFECT_COGNITO_HOME: yield* Cli.freshHome("effect-cognito-cli-devices-")
  }
  return { cognito, env }
})

/** The challenges the pool was answered, in order. */
const challenges = (cognito: Effect.Success<typeof trackingPool>["cognito"]) =>
  Effect.map(cognito.requests, (requests) =>
    requests.flatMap((r) => (r.challengeName === undefined ? [] : [r.challengeName]))
  )

describe("effect-cognito devices and MFA settings", { timeout: 180_000 }, () => {
  it.effect("draws the QR code in colour for a terminal that shows colour, in plain block characters otherwise", () =>
    Effect.gen(function* () {
      const uri = "otpauth://totp/Acme:dora?secret=JBSWY3DPEHPK3PXP&issuer=Acme"
      const coloured = yield* MfaCommands.qrCode(uri, { colour: true })
      const plain = yield* MfaCommands.qrCode(uri, { colour: false })
      // Black on white, so the code scans on a dark terminal too.
      assert.include(coloured, "\u001b[47m")
      assert.notInclude(plain, "\u001b")
      // A version-3 code (29 modules) and its margin: two modules a character, one row of characters per two.
      const rows = Cli.lines(plain!)
      assert.isAtLeast(rows.length, 15)
      assert.isTrue(
        rows.every((row) => /^[ █▀▄]+$/.test(row)),
        plain
      )
    })
  )

  it.live(
    "sets up TOTP, lists and remembers the device so sign-in skips TOTP, forgets it so TOTP is asked again, deletes an attribute",
    () =>
      Effect.gen(function* () {
        const { cognito, env } = yield* trackingPool
        const outputs: Array<Cli.Result> = []
        const run = (args: ReadonlyArray<string>, input: ReadonlyArray<string> = []) =>
          Effect.tap(Cli.run(args, env, input), (result) => Effect.sync(() => outputs.push(result)))
        const ok = (args: ReadonlyArray<string>, input: ReadonlyArray<string> = []) =>
          Effect.tap(run(args, input), (result) =>
            Effect.sync(() =>
              assert.strictEqual(result.code, 0, `${args.join(" ")}:\n${result.stdout}${result.stderr}`)
            )
          )
        /** A TOTP code by the server's clock, a step (30 s) later each time: Cognito accepts a code once. */
        let steps = 0
        const nextCode = (secret: Redacted.Redacted<string>) =>
          Effect.gen(function* () {
            yield* cognito.setClockOffset(`${30 * steps++} seconds`)
            return Redacted.value(yield* cognito.totpCode(secret))
          })
        /** Signs in; with `code`, answering the TOTP prompt, which must come. */
        const signIn = (code?: Effect.Effect<string>) =>
          Effect.scoped(
            Effect.gen(function* () {
              const running = yield* Cli.start(["sign-in", "dora"], env)
              yield* running.prompted("Password")
              yield* running.answer(password)
              if (code !== undefined) {
                yield* running.prompted("Authenticator code")
                yield* running.answer(yield* code)
              }
              const result = yield* running.done
              outputs.push(result)
              assert.strictEqual(result.code, 0, result.stderr)
              assert.include(result.stdout, "signed in as dora")
              if (code === undefined) assert.notInclude(result.stderr, "Authenticator code")
              return result
            })
          )

        // A new device, confirmed on its own at the first sign-in, not remembered: no MFA is on yet.
        yield* signIn()
        const listed = yield* ok(["devices"])
        const [line, ...others] = Cli.lines(listed.stdout)
        assert.deepStrictEqual(others, [])
        assert.match(
          line!,
          /^us-east-1_[0-9a-f-]{36} {2}not remembered {2}last used \d{4}-.* \(Node v?\d+.*\) {2}\(this device\)$/
        )
        const deviceKey = line!.split(" ")[0]!

        // TOTP: off until the authenticator is verified.
        assert.deepStrictEqual(Cli.lines((yield* ok(["mfa", "preference"])).stdout), [
          "sms: disabled",
          "totp: disabled",
          "email: disabled"
        ])
        assertOneLineFailure(yield* run(["mfa", "preference", "--totp", "preferred"]), "InvalidParameter")
        const setup = yield* ok(["mfa", "setup-totp", "--issuer", "Acme"])
        const uri = setup.stdout.trim()
        assert.match(uri, /^otpauth:\/\/totp\/Acme:dora\?secret=[A-Z2-7]+&issuer=Acme$/)
        const secret = Redacted.make(new URL(uri).searchParams.get("secret")!)
        // The QR code, drawn without escape sequences where standard error is no terminal.
        assert.include(setup.stderr, "Scan this QR code")
        assert.match(setup.stderr, /[█▀▄]{20}/)
        assert.notInclude(setup.stderr, "\u001b[")
        assert.include(setup.stderr, `or enter this key in it: ${Redacted.value(secret)}`)
        assert.include(setup.stderr, "then run `effect-cognito mfa verify-totp`")

        const code = yield* nextCode(secret)
        assertOneLineFailure(
          yield* run(["mfa", "verify-totp"], [code === "000000" ? "111111" : "000000"]),
          "EnableSoftwareTokenMfa"
        )
        const verified = yield* ok(["mfa", "verify-totp", "--device-name", "phone"], [code])
        assert.include(verified.stdout, "authenticator verified")
        assert.notInclude(verified.stdout + verified.stderr, code)
        const preferred = yield* ok(["mfa", "preference", "--totp", "preferred"])
        assert.deepStrictEqual(Cli.lines(preferred.stdout), ["sms: disabled", "totp: preferred", "email: disabled"])
        assert.deepStrictEqual(JSON.parse((yield* ok(["mfa", "preference", "--json"])).stdout), {
          enabled: ["TOTP"],
          preferred: "TOTP"
        })
        assertOneLineFailure(yield* run(["mfa", "preference", "--sms", "always"]), "--sms")

        // The device is confirmed but not remembered: TOTP is asked.
        yield* ok(["sign-out"])
        yield* signIn(nextCode(secret))

        // Remembered: the password alone, then the device proves itself.
        assert.include((yield* ok(["remember-device"])).stdout, "this device is remembered")
        assert.include((yield* ok(["devices"])).stdout, `${deviceKey}  remembered`)
        yield* ok(["sign-out"])
        const before = (yield* challenges(cognito)).length
        yield* signIn()
        assert.deepStrictEqual((yield* challenges(cognito)).slice(before), [
          "PASSWORD_VERIFIER",
          "DEVICE_SRP_AUTH",
          "DEVICE_PASSWORD_VERIFIER"
        ])

        // Forgotten: gone from the list, and the next sign-in is a new device, asked for TOTP.
        assert.include((yield* ok(["forget-device"])).stdout, "forgot this device")
        assert.deepStrictEqual(Cli.lines((yield* ok(["devices"])).stdout), ["no devices"])
        yield* ok(["sign-out"])
        yield* signIn(nextCode(secret))
        assertOneLineFailure(yield* run(["forget-device", "--device-key", deviceKey]), "ResourceNotFound")
        const json = JSON.parse((yield* ok(["devices", "--json"])).stdout) as ReadonlyArray<Record<string, unknown>>
        assert.lengthOf(json, 1)
        assert.notStrictEqual(json[0]!.key, deviceKey)
        assert.strictEqual(json[0]!.rememberedStatus, "not_remembered")
        assert.isTrue(json[0]!.thisDevice)

        // Attributes: an optional one goes; sub cannot.
        assert.include((yield* ok(["delete-attributes", "nickname"])).stdout, "deleted nickname")
        const whoami = yield* ok(["whoami"])
        assert.notInclude(whoami.stdout, "nickname=")
        assert.include(whoami.stdout, "email=dora@example.com")
        assertOneLineFailure(yield* run(["delete-attributes", "sub"]), "InvalidParameter")
        const bare = yield* run(["delete-attributes"])
        assert.strictEqual(bare.code, 2, bare.stderr)

        // The device password, kept in the session directory, is never shown.
        const home = env.EFFECT_COGNITO_HOME
        const passwords: Array<string> = []
        for (const name of yield* Effect.promise(() => readdir(home))) {
          if (!name.endsWith(".json")) continue
          const text = yield* Effect.promise(() => readFile(join(home, name), "utf8"))
          for (const match of text.matchAll(/"devicePassword":"([^"]+)"/g)) passwords.push(match[1]!)
        }
        assert.lengthOf(passwords, 1)
        for (const result of outputs)
          for (const secret of [...passwords, password]) {
            assert.notInclude(result.stdout, secret)
            assert.notInclude(result.stderr, secret)
          }
      }).pipe(Effect.provide(LocalCognito.layer()))
  )
})
