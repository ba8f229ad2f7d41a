/**
 * `npm run bench`, which the README tells a user to run, as a user runs it, with a tiny
 * call count (`BENCH_SCALE`): it must exit 0 and print every benchmark. Only counts are
 * asserted (one refresh for a burst of callers), never a rate or a time.
 */
import { assert, describe, it } from "@effect/vitest"
import { explain, run } from "./userShell.js"

describe("npm run bench", () => {
  it("runs both benchmarks to the end with BENCH_SCALE=0.001", { timeout: 300_000 }, async () => {
    const result = await run("npm", ["run", "bench"], { env: { BENCH_SCALE: "0.001" } })
    assert.strictEqual(result.code, 0, explain("npm run bench", result))
    for (const line of [
      "getTokens: effect-cognito against aws-amplify v6 and amazon-cognito-identity-js",
      "Cached session (valid tokens, exp in one hour)",
      "Burst: 1000 concurrent callers on expired tokens",
      "SRP client time per sign-in (3072-bit group), 1 interleaved rounds",
      "per sign-in, times faster than amazon-cognito-identity-js (AuthenticationHelper):",
      "Credentials burst: 1000 concurrent cold callers",
      "SigV4 signing: ",
      "aws4fetch AwsV4Signer",
      "JWT verification: ",
      "aws-jwt-verify CognitoJwtVerifier.verify",
      "our code on top of the Effect floor: ",
      "without messages, logs and spans",
      "Sessions in Redis: getTokens and the store's reads, against the memory and file stores",
      "Redis, encrypted",
      "Many users in one process: heap per idle signed-in session (after GC), from the built packages"
    ])
      assert.include(result.stdout, line)
    assert.match(
      result.stdout,
      /exactly 1 refresh per burst, .*refreshes 1 \/ 1, distinct tokens 1 \/ 1, failed 0 \/ 0 \(met\)/
    )
    // Four processes on one Redis: one refresh for all their callers.
    assert.match(
      result.stdout,
      /exactly 1 refresh across 4 processes: refreshes 1, distinct tokens 1, failed 0 \(met\)/
    )
    // Every session whose tokens expired refreshes once: as many refresh requests as sessions.
    assert.match(result.stdout, /; requests (\d+) \(expected \1\)/)
    // One GetId and one GetCredentialsForIdentity for the whole burst, one set of credentials, no failure.
    assert.match(result.stdout, /effect-cognito getAWSCredentials +1 +1 +0 +1 +0 /)
    // One JWKS request for a burst of 1000 verifications on a cold verifier, every one verified.
    assert.match(result.stdout, /effect-cognito CognitoJwtVerifier +1 1000\n/)
  })
})
