/** The package rules that keep core portable and the public surface small. */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as IdentityPool from "@effect-cognito/core/IdentityPool"
import * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import * as Core from "@effect-cognito/core"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"

const root = join(import.meta.dirname, "..", "..")

const sources = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : []
  )

describe("package boundaries", () => {
  it("core imports no node:* module, no other package of ours and no barrel of effect", () => {
    for (const file of sources(join(root, "core", "src"))) {
      const text = readFileSync(file, "utf8")
      assert.notMatch(text, /from "node:/, file)
      assert.notMatch(text, /from "@effect-cognito\//, file)
      assert.notMatch(text, /from "effect"/, file)
    }
  })

  it("service keys are <package>/<Module>", () => {
    assert.strictEqual(Auth.Auth.key, "@effect-cognito/core/Auth")
    assert.strictEqual(AuthConfig.AuthConfig.key, "@effect-cognito/core/AuthConfig")
    assert.strictEqual(IdentityProvider.IdentityProvider.key, "@effect-cognito/core/IdentityProvider")
    assert.strictEqual(IdentityPool.IdentityPool.key, "@effect-cognito/core/IdentityPool")
    assert.strictEqual(TokenStore.TokenStore.key, "@effect-cognito/core/TokenStore")
    assert.strictEqual(SecureRandom.SecureRandom.key, "@effect-cognito/core/SecureRandom")
    assert.strictEqual(TestCognito.TestCognito.key, "@effect-cognito/test-kit/TestCognito")
  })

  it("the core index re-exports modules as namespaces and nothing from internal/", () => {
    assert.deepStrictEqual(Object.keys(Core).sort(), [
      "Auth",
      "AuthConfig",
      "AuthError",
      "AwsCredentials",
      "AwsSigning",
      "CognitoIdentityPool",
      "CognitoIdentityProvider",
      "IdentityPool",
      "IdentityProvider",
      "SecureRandom",
      "Srp",
      "TokenStore"
    ])
    const index = readFileSync(join(root, "core", "src", "index.ts"), "utf8")
    assert.notMatch(index, /internal/)
  })
})
