/**
 * `sign-in --browser`: sign-in through the Cognito domain (the hosted UI / managed login,
 * or a provider with `--provider`) for a native app, as RFC 8252 asks: authorization code
 * with PKCE, a loopback redirect on 127.0.0.1 and a free port (`loopback.ts`), the URL
 * printed (and opened in the desktop's browser where there is one), the redirect awaited
 * for `--timeout` seconds, the code exchanged, and the session saved like any other
 * sign-in's.
 *
 * @internal
 */
import type * as Auth from "@effect-cognito/core/Auth"
import type * as AuthConfig from "@effect-cognito/core/AuthConfig"
import type * as AuthError from "@effect-cognito/core/AuthError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { spawn } from "node:child_process"
import { printable } from "./console.js"
import { CliError } from "./error.js"
import type * as Io from "./io.js"
import * as Loopback from "./loopback.js"

/** The scopes asked for by default: `whoami` and the other account commands need the user pool's own scope. */
export const defaultScopes = ["openid", "aws.cognito.signin.user.admin"]

/** What `sign-in --browser` takes. */
export interface Options {
  readonly provider: Option.Option<string>
  readonly scopes: ReadonlyArray<string> | undefined
  /** The loopback port; 0 for a free one. */
  readonly port: number
  /** How long to wait for the browser, in seconds. */
  readonly timeoutSeconds: number
}

/**
 * The command that opens a URL in the desktop's browser, or `undefined` where there is no
 * desktop to open it on (no display, a CI job, `BROWSER=none`). The URL is its last
 * argument, passed without a shell.
 */
export const opener = (
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>
): readonly [string, ReadonlyArray<string>] | undefined => {
  const set = (name: string) => env[name] !== undefined && env[name] !== "" && env[name] !== "false"
  if (set("CI") || set("VITEST") || env.BROWSER === "none") return undefined
  if (platform === "darwin") return ["open", []]
  // No shell: `cmd /c start` would cut the URL at its first `&`; the URL is one argument here.
  if (platform === "win32") return ["rundll32", ["url.dll,FileProtocolHandler"]]
  if (set("DISPLAY") || set("WAYLAND_DISPLAY")) return ["xdg-open", []]
  return undefined
}

/** Opens `url` in the desktop's browser where there is one; never fails (the URL is printed anyway). */
const openBrowser = (url: string) =>
  Effect.sync(() => {
    const command = opener(process.platform, process.env)
    if (command === undefined) return false
    try {
      const child = spawn(command[0], [...command[1], url], { stdio: "ignore", detached: true })
      child.on("error", () => {})
      child.unref()
      return true
    } catch {
      return false
    }
  })

/** Signs in through the domain, from the terminal; the session is saved by `auth`'s store. */
export const signInWithBrowser = (
  auth: Auth.Auth.Service,
  io: Io.Io,
  config: AuthConfig.Validated,
  options: Options
): Effect.Effect<void, AuthError.AuthError | CliError> =>
  Effect.gen(function* () {
    if (config.oauth === undefined)
      return yield* new CliError({
        message:
          "sign-in --browser: set COGNITO_DOMAIN to the user pool's domain (https://<prefix>.auth.<region>.amazoncognito.com)",
        usage: true
      })
    if (options.timeoutSeconds <= 0)
      return yield* new CliError({ message: `--timeout: expected a number of seconds above 0`, usage: true })
    const receiver = yield* Loopback.listen(options.port)
    const { pending, url } = yield* auth.redirectSignInUrl({
      redirectUri: receiver.redirectUri,
      provider: Option.getOrUndefined(options.provider),
      scopes: options.scopes ?? (config.oauth.scopes.length > 1 ? config.oauth.scopes : defaultScopes)
    })
    const opened = yield* openBrowser(url)
    yield* io.note(
      opened
        ? "Your browser has been opened to sign in; if it did not open, visit this URL:"
        : "Open this URL in a browser to sign in:"
    )
    yield* io.out(url)
    const callbackUrl = yield* io.spin(
      `Waiting for the browser (${options.timeoutSeconds}s)`,
      Effect.timeoutOrElse(receiver.callback(pending.state), {
        duration: `${options.timeoutSeconds} seconds`,
        orElse: () =>
          Effect.fail(
            new CliError({
              message: `no sign-in came back within ${options.timeoutSeconds} second${options.timeoutSeconds === 1 ? "" : "s"}; run \`effect-cognito sign-in --browser\` again`
            })
          )
      })
    )
    yield* io.spin("Signing in", auth.completeRedirectSignIn({ callbackUrl, pending })).pipe(
      Effect.tapError((error) => receiver.reply({ ok: false, text: error.message })),
      Effect.tap(() => receiver.reply({ ok: true, text: "effect-cognito has saved the session." }))
    )
    const who = yield* auth.username
    yield* io.out(`signed in as ${printable(Option.getOrElse(who, () => "the user"))}`)
  }).pipe(Effect.scoped)
