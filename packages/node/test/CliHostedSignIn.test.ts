/**
 * `effect-cognito sign-in --browser` (a subprocess against the local Cognito's domain), with
 * headless Chromium as the user's browser: the CLI prints the authorize URL and waits on
 * its loopback redirect (`http://localhost:<free port>/callback`, the only plain-http host real
 * Cognito accepts, served on 127.0.0.1); Chromium signs in on the domain's login
 * page; the CLI exchanges the code and saves the session, which `whoami` then reads.
 */
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { type Browser, chromium } from "playwright-core"
import { afterAll, beforeAll } from "vitest"
import { opener } from "../src/internal/cli/browserSignIn.js"
import * as Cli from "./cliProcess.js"

const password = "Corr3ct-Horse!"

/** Debian's Chromium, headless: one for the file. */
let browser: Browser

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
  })
}, 60_000)

afterAll(async () => {
  await browser?.close()
})

/** Signs in on the domain's login page at `url` in a fresh browser context, and waits for the CLI's page. */
const signInAt = (url: string, username: string, secret: string) =>
  Effect.acquireUseRelease(
    Effect.promise(() => browser.newContext()),
    (context) =>
      Effect.promise(async () => {
        const page = await context.newPage()
        await page.goto(url)
        await page.fill("#signInFormUsername", username)
        await page.fill("#signInFormPassword", secret)
        await page.click("button[name=signInSubmitButton]")
        await page.waitForSelector("#outcome[data-ok=true]")
        return page.url()
      }),
    (context) => Effect.promise(() => context.close())
  )

/** The default pool's domain, and its app client allowed the code flow back to any loopback port. */
const hostedEnvironment = Effect.gen(function* () {
  const local = yield* LocalCognito.LocalCognito
  const pool = yield* local.pool(local.defaultPool.userPoolId)
  const domain = yield* local.domainUrl(local.defaultPool.userPoolId)
  yield* pool.updateClientOAuth(local.defaultPool.clientId, {
    allowedOAuthFlows: ["code"],
    allowedOAuthFlowsUserPoolClient: true,
    allowedOAuthScopes: ["openid", "email", "aws.cognito.signin.user.admin"],
    callbackURLs: ["http://localhost/callback"],
    supportedIdentityProviders: ["COGNITO"]
  })
  return { ...(yield* Cli.localEnvironment()), COGNITO_DOMAIN: domain }
})

/** The authorize URL the CLI printed on its own line. */
const authorizeUrl = /^(https?:\/\/\S+\/oauth2\/authorize\?\S+)$/m

describe("effect-cognito sign-in --browser", { timeout: 120_000 }, () => {
  it.live("prints the URL; Chromium signs in there; the session is saved and whoami reads it", () =>
    Effect.gen(function* () {
      const env = yield* hostedEnvironment
      yield* Cli.confirmedUser("dora", password)

      const running = yield* Cli.start(["sign-in", "--browser"], env)
      const printed = yield* running.printed(authorizeUrl)
      assert.isDefined(printed, yield* running.stdout)
      const url = new URL(printed![1]!)
      const redirectUri = new URL(url.searchParams.get("redirect_uri") ?? "")
      // Real Cognito allows plain http only for localhost; the receiver listens on 127.0.0.1.
      assert.strictEqual(redirectUri.hostname, "localhost")
      assert.strictEqual(redirectUri.pathname, "/callback")
      assert.notStrictEqual(redirectUri.port, "")
      assert.strictEqual(url.searchParams.get("code_challenge_method"), "S256")
      assert.include(url.searchParams.get("scope") ?? "", "aws.cognito.signin.user.admin")

      const landed = new URL(yield* signInAt(url.href, "dora", password))
      assert.strictEqual(landed.origin, redirectUri.origin)
      const result = yield* running.done
      assert.strictEqual(result.code, 0, `${result.stdout}${result.stderr}`)
      assert.include(result.stdout, "signed in as dora")
      // The code and the tokens stay out of the terminal.
      const code = landed.searchParams.get("code") ?? ""
      assert.notStrictEqual(code, "")
      assert.notInclude(`${result.stdout}${result.stderr}`, code)

      const whoami = yield* Cli.run(["whoami"], env)
      assert.strictEqual(whoami.code, 0, whoami.stderr)
      assert.strictEqual(Cli.lines(whoami.stdout)[0], "dora")
      assert.include(whoami.stdout, "email=dora@example.com")

      // Signed in: a second sign-in --browser is refused before any URL is printed.
      const again = yield* Cli.run(["sign-in", "--browser"], env)
      assert.strictEqual(again.code, 1)
      assert.include(again.stderr, "dora is signed in; sign out first")
      assert.notMatch(again.stdout, authorizeUrl)
    }).pipe(Effect.provide(LocalCognito.layer()))
  )

  it.live("with --local: `effect-cognito local` names its domain, and sign-in --local --browser uses it", () =>
    Effect.gen(function* () {
      const home = yield* Cli.freshHome()
      const env = { EFFECT_COGNITO_HOME: home }
      const local = yield* Cli.start(["local", "--port", "0"], env)
      const domain = yield* local.printed(/^ {2}domain {9}(\S+)$/m)
      assert.isDefined(domain, yield* local.stdout)
      yield* local.printed(/delivered codes follow/)
      const signUp = yield* Cli.run(["sign-up", "--local", "eve", "--attribute", "email=eve@example.com"], env, [
        password
      ])
      assert.strictEqual(signUp.code, 0, signUp.stderr)
      const code = yield* local.printed(/EMAIL to eve@example\.com \([^,]+, eve, SignUp\): (\d{6})/)
      assert.isDefined(code, yield* local.stdout)
      const confirm = yield* Cli.run(["confirm-sign-up", "--local", "eve"], env, [code![1]!])
      assert.strictEqual(confirm.code, 0, confirm.stderr)

      const running = yield* Cli.start(["sign-in", "--local", "--browser"], env)
      const printed = yield* running.printed(authorizeUrl)
      assert.isDefined(printed, yield* running.stdout)
      assert.isTrue(printed![1]!.startsWith(`${domain![1]!}/oauth2/authorize?`), printed![1])
      yield* signInAt(printed![1]!, "eve", password)
      const result = yield* running.done
      assert.strictEqual(result.code, 0, `${result.stdout}${result.stderr}`)
      assert.include(result.stdout, "signed in as eve")
      const whoami = yield* Cli.run(["whoami", "--local"], env)
      assert.strictEqual(whoami.code, 0, whoami.stderr)
      assert.strictEqual(Cli.lines(whoami.stdout)[0], "eve")
      yield* local.stop
    }).pipe(Effect.scoped)
  )

  it.live("a denied sign-in (error=access_denied) ends in one line and no session", () =>
    Effect.gen(function* () {
      const env = yield* hostedEnvironment
      const running = yield* Cli.start(["sign-in", "--browser"], env)
      const printed = yield* running.printed(authorizeUrl)
      assert.isDefined(printed, yield* running.stdout)
      const url = new URL(printed![1]!)
      // What the domain sends back when the user or the provider refuses.
      const callback = new URL(url.searchParams.get("redirect_uri") ?? "")
      callback.searchParams.set("error", "access_denied")
      callback.searchParams.set("error_description", "the user said no")
      callback.searchParams.set("state", url.searchParams.get("state") ?? "")
      const answer = yield* Effect.promise(() => fetch(callback))
      assert.strictEqual(answer.status, 400)
      assert.include(yield* Effect.promise(() => answer.text()), "Sign-in failed")
      const result = yield* running.done
      assert.strictEqual(result.code, 1, `${result.stdout}${result.stderr}`)
      const lines = Cli.lines(result.stderr).filter((line) => line.startsWith("effect-cognito:"))
      assert.lengthOf(lines, 1, result.stderr)
      assert.include(lines[0], "AccessDenied")
      const whoami = yield* Cli.run(["whoami"], env)
      assert.strictEqual(whoami.code, 1)
      assert.include(whoami.stderr, "NotSignedIn")
    }).pipe(Effect.provide(LocalCognito.layer()))
  )

  it.live("gives up after --timeout seconds with one line, and without COGNITO_DOMAIN says what to set", () =>
    Effect.gen(function* () {
      const env = yield* hostedEnvironment
      const timedOut = yield* Cli.run(["sign-in", "--browser", "--timeout", "1"], env)
      assert.strictEqual(timedOut.code, 1, `${timedOut.stdout}${timedOut.stderr}`)
      assert.include(timedOut.stderr, "no sign-in came back within 1 second;")
      const { COGNITO_DOMAIN: _, ...withoutDomain } = env
      const noDomain = yield* Cli.run(["sign-in", "--browser"], withoutDomain)
      assert.strictEqual(noDomain.code, 2, `${noDomain.stdout}${noDomain.stderr}`)
      assert.include(noDomain.stderr, "set COGNITO_DOMAIN")
      const noUser = yield* Cli.run(["sign-in"], env)
      assert.strictEqual(noUser.code, 2)
      assert.include(noUser.stderr, "give a username, or --browser")
    }).pipe(Effect.provide(LocalCognito.layer()))
  )

  it("opens the desktop's browser only where there is one, never in CI or under a test runner", () => {
    assert.deepStrictEqual(opener("linux", { DISPLAY: ":0" }), ["xdg-open", []])
    assert.deepStrictEqual(opener("linux", { WAYLAND_DISPLAY: "wayland-0" }), ["xdg-open", []])
    assert.deepStrictEqual(opener("darwin", {}), ["open", []])
    // No shell on Windows: `cmd /c start` would cut the URL at its first `&`.
    assert.deepStrictEqual(opener("win32", {}), ["rundll32", ["url.dll,FileProtocolHandler"]])
    assert.isUndefined(opener("linux", {}), "no display: print the URL only")
    assert.isUndefined(opener("linux", { DISPLAY: ":0", CI: "true" }))
    assert.isUndefined(opener("darwin", { VITEST: "true" }))
    assert.isUndefined(opener("darwin", { BROWSER: "none" }))
    assert.deepStrictEqual(opener("linux", { DISPLAY: ":0", CI: "false" }), ["xdg-open", []])
  })
})
