/**
 * Benchmark: many users in one process. The heap one idle signed-in session costs (after
 * GC) at 1,000, 10,000 and 100,000 sessions, ours (`NodeAuth.makeSession` per user, a
 * memory store) beside amazon-cognito-identity-js (`CognitoUser` + `CognitoUserSession` per
 * user) and aws-amplify (`createAmplifyContext` per user over its own token storage); then
 * the time 10,000 sessions' `getTokens` take while their tokens are valid and once they all
 * expired (each session refreshes once: the requests TestCognito served are counted), beside
 * the time TestCognito alone takes for 10,000 refreshes (its `IdentityProvider` called directly).
 *
 *   npm run build && npx tsx bench/sessions.ts        (BENCH_SESSIONS=1000,10000 for other sizes;
 *                                                     BENCH_SCALE=0.001 scales sizes and the refresh count)
 *
 * Every measurement runs in a child process of plain `node --expose-gc` (Node strips this
 * file's types) that imports the BUILT packages (`packages/*\/dist`, through their
 * `exports`), as an app that installed them would: under tsx, esbuild's `keepNames` adds
 * about 17 KB per session of our closures' names.
 *
 * Tokens: each user gets its own id and access token (Cognito's claims, an RS256-sized
 * random signature: no client here verifies it) and a 128-character refresh token, built
 * inside the measured window, so every library holds them. Our sessions sign in through the
 * real flow (`signIn`, USER_PASSWORD_AUTH) over TestCognito's `IdentityProvider`, whose
 * `InitiateAuth` answers the password sign-in with those tokens (TestCognito checks a
 * password with 3072-bit BigInt arithmetic, too slow for 100,000 users). That provider is
 * TestCognito's own (already `IdentityProvider.make`-wrapped: one span and log line per request)
 * with only `InitiateAuth` for passwords replaced, so ours and the direct calls pay the same.
 *
 * The refresh run: one user signs in to TestCognito for real; its snapshot is extended with
 * 20,000 refresh tokens of that user and restored; 10,000 go to sessions (signed in with the
 * user's real id and access tokens), 10,000 to the direct calls. `TestClock` moves past
 * the tokens' expiry for both.
 */
import { spawn } from "node:child_process"
import { randomBytes, randomUUID } from "node:crypto"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

const self = fileURLToPath(import.meta.url)
/** Scales the session counts (`BENCH_SCALE`, default 1; at least 10 sessions). */
const scale = Number(process.env.BENCH_SCALE ?? 1)
const scaled = (count: number) => Math.max(10, 2 * Math.round((count * scale) / 2))

const region = "us-east-1"
const userPoolId = "us-east-1_Sessions1"
const clientId = "sessionsbenchclient"
const issuer = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`
const password = "Bench-Passw0rd!"

const base64Url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
const jwt = (claims: Record<string, unknown>) =>
  `${base64Url({ kid: "bench-key-0000000000000000000000000000000000", alg: "RS256" })}.${base64Url(claims)}.${randomBytes(256).toString("base64url")}`

/** Tokens of user `i`, shaped as Cognito's (one hour from now). */
const tokensOf = (i: number) => {
  const iat = Math.floor(Date.now() / 1000)
  const sub = randomUUID()
  const username = `user-${i}`
  const common = {
    sub,
    iss: issuer,
    origin_jti: randomUUID(),
    event_id: randomUUID(),
    auth_time: iat,
    exp: iat + 3600,
    iat
  }
  return {
    username,
    idToken: jwt({
      ...common,
      aud: clientId,
      token_use: "id",
      "cognito:username": username,
      email: `${username}@example.com`,
      email_verified: true,
      jti: randomUUID()
    }),
    accessToken: jwt({
      ...common,
      client_id: clientId,
      token_use: "access",
      scope: "aws.cognito.signin.user.admin",
      username,
      jti: randomUUID()
    }),
    refreshToken: randomBytes(96).toString("base64url")
  }
}

const gc = () => {
  const collect = (globalThis as { gc?: () => void }).gc
  if (collect === undefined) throw new Error("run with node --expose-gc")
  for (let i = 0; i < 4; i++) collect()
}
const heap = () => {
  gc()
  return process.memoryUsage().heapUsed
}

// -----------------------------------------------------------------------------
// Children
// -----------------------------------------------------------------------------

type Library = "effect-cognito" | "effect-cognito (evicting)" | "amazon-cognito-identity-js" | "aws-amplify"

/** Heap per idle signed-in session of `library` with `count` sessions. */
const heapChild = async (library: Library, count: number) => {
  const keep: Array<unknown> = []
  let before = 0
  if (library === "effect-cognito" || library === "effect-cognito (evicting)") {
    const Effect = await import("effect/Effect")
    const Layer = await import("effect/Layer")
    const Redacted = await import("effect/Redacted")
    const Auth = await import("@effect-cognito/core/Auth")
    const IdentityProvider = await import("@effect-cognito/core/IdentityProvider")
    const SecureRandom = await import("@effect-cognito/core/SecureRandom")
    const NodeAuth = await import("@effect-cognito/node/NodeAuth")
    const TestCognito = await import("@effect-cognito/test-kit/TestCognito")
    const issued = new Map<string, ReturnType<typeof tokensOf>>()
    const program = Effect.gen(function* () {
      const cognito = yield* TestCognito.TestCognito
      const provider: typeof cognito.provider = {
        ...cognito.provider,
        initiateAuth: (request) => {
          const username = request.authFlow === "USER_PASSWORD_AUTH" ? request.username : ""
          const tokens = issued.get(username)
          if (tokens === undefined) return cognito.provider.initiateAuth(request)
          issued.delete(username)
          return Effect.succeed({
            _tag: "Authenticated" as const,
            tokens: {
              idToken: Redacted.make(tokens.idToken),
              accessToken: Redacted.make(tokens.accessToken),
              refreshToken: Redacted.make(tokens.refreshToken),
              expiresIn: 3600,
              tokenType: "Bearer"
            }
          })
        }
      }
      const signInAll = Effect.gen(function* () {
        before = heap()
        for (let i = 0; i < count; i++) {
          const tokens = tokensOf(i)
          issued.set(tokens.username, tokens)
          const auth = yield* NodeAuth.makeSession({ sessionKey: `u${i}` })
          const result = yield* auth.signIn({
            username: tokens.username,
            password: Redacted.make(password),
            flow: "USER_PASSWORD_AUTH"
          })
          if (result._tag !== "SignedIn") throw new Error(`not signed in: ${result._tag}`)
          keep.push(auth)
        }
        return heap()
      })
      const withProvider = Effect.provideService(signInAll, IdentityProvider.IdentityProvider, provider)
      return yield* library === "effect-cognito (evicting)"
        ? Effect.provideService(withProvider, Auth.MaxInMemorySessions, 1000)
        : withProvider
    })
    const after = await Effect.runPromise(
      Effect.scoped(program).pipe(
        Effect.provide(
          Layer.mergeAll(TestCognito.layerCognito({ region, userPoolId, clientId, mfa: "OFF" }), SecureRandom.layer)
        )
      )
    )
    return { perSession: (after - before) / count, sessions: keep.length }
  }
  if (library === "amazon-cognito-identity-js") {
    const Cognito = await import("amazon-cognito-identity-js")
    const pool = new Cognito.CognitoUserPool({ UserPoolId: userPoolId, ClientId: clientId })
    before = heap()
    for (let i = 0; i < count; i++) {
      const tokens = tokensOf(i)
      const user = new Cognito.CognitoUser({ Username: tokens.username, Pool: pool })
      user.setSignInUserSession(
        new Cognito.CognitoUserSession({
          IdToken: new Cognito.CognitoIdToken({ IdToken: tokens.idToken }),
          AccessToken: new Cognito.CognitoAccessToken({ AccessToken: tokens.accessToken }),
          RefreshToken: new Cognito.CognitoRefreshToken({ RefreshToken: tokens.refreshToken })
        })
      )
      keep.push(user)
    }
    return { perSession: (heap() - before) / count, sessions: keep.length }
  }
  const { createAmplifyContext } = await import("aws-amplify")
  const { createAWSCredentialsAndIdentityIdProvider, createUserPoolsTokenProvider } = await import(
    "aws-amplify/adapter-core"
  )
  const config = { Auth: { Cognito: { userPoolId, userPoolClientId: clientId } } }
  before = heap()
  for (let i = 0; i < count; i++) {
    const tokens = tokensOf(i)
    const prefix = `CognitoIdentityServiceProvider.${clientId}`
    const items = new Map<string, string>([
      [`${prefix}.LastAuthUser`, tokens.username],
      [`${prefix}.${tokens.username}.idToken`, tokens.idToken],
      [`${prefix}.${tokens.username}.accessToken`, tokens.accessToken],
      [`${prefix}.${tokens.username}.refreshToken`, tokens.refreshToken],
      [`${prefix}.${tokens.username}.clockDrift`, "0"]
    ])
    const storage = {
      setItem: async (key: string, value: string) => {
        items.set(key, value)
      },
      getItem: async (key: string) => items.get(key) ?? null,
      removeItem: async (key: string) => {
        items.delete(key)
      },
      clear: async () => items.clear()
    }
    const context = createAmplifyContext(config, {
      Auth: {
        tokenProvider: createUserPoolsTokenProvider(config.Auth, storage),
        credentialsProvider: createAWSCredentialsAndIdentityIdProvider(config.Auth, storage)
      }
    })
    keep.push(context)
  }
  return { perSession: (heap() - before) / count, sessions: keep.length }
}

/** 10,000 sessions' getTokens, valid then expired, beside TestCognito's own refreshes. */
const refreshChild = async (count: number) => {
  const Effect = await import("effect/Effect")
  const Layer = await import("effect/Layer")
  const Redacted = await import("effect/Redacted")
  const TestClock = await import("effect/testing/TestClock")
  const IdentityProvider = await import("@effect-cognito/core/IdentityProvider")
  const SecureRandom = await import("@effect-cognito/core/SecureRandom")
  const NodeAuth = await import("@effect-cognito/node/NodeAuth")
  const TestCognito = await import("@effect-cognito/test-kit/TestCognito")
  const options = { region, userPoolId, clientId, mfa: "OFF" as const }
  const secret = Redacted.make(password)

  // One real sign-in; the snapshot then holds 2 × count more refresh tokens of that user.
  const seeded = await Effect.runPromise(
    Effect.gen(function* () {
      const cognito = yield* TestCognito.TestCognito
      yield* cognito.adminCreateUser({ username: "alice", messageAction: "SUPPRESS" })
      yield* cognito.adminSetUserPassword("alice", secret, { permanent: true })
      const signedIn = yield* cognito.provider.initiateAuth({
        authFlow: "USER_PASSWORD_AUTH",
        username: "alice",
        password: secret
      })
      if (signedIn._tag !== "Authenticated") throw new Error("alice did not sign in")
      const snapshot = yield* cognito.snapshot
      return { snapshot, tokens: signedIn.tokens }
    }).pipe(Effect.provide(TestCognito.layerCognito(options)), Effect.provide(TestClock.layer()))
  )
  const [record] = seeded.snapshot.refreshTokens
  if (record === undefined) throw new Error("no refresh token in the snapshot")
  const refreshTokens = Array.from({ length: 2 * count }, () => randomBytes(96).toString("base64url"))
  const snapshot = {
    ...seeded.snapshot,
    refreshTokens: [
      ...seeded.snapshot.refreshTokens,
      ...refreshTokens.map((token) => ({ ...record, token: Redacted.make(token) }))
    ]
  }

  return Effect.runPromise(
    Effect.gen(function* () {
      const cognito = yield* TestCognito.TestCognito
      let next = 0
      const provider: typeof cognito.provider = {
        ...cognito.provider,
        initiateAuth: (request) =>
          request.authFlow === "USER_PASSWORD_AUTH"
            ? Effect.succeed({
                _tag: "Authenticated" as const,
                tokens: { ...seeded.tokens, refreshToken: Redacted.make(refreshTokens[next++] as string) }
              })
            : cognito.provider.initiateAuth(request)
      }
      const sessions = yield* Effect.provideService(
        Effect.forEach(
          Array.from({ length: count }, (_, i) => i),
          (i) =>
            Effect.tap(NodeAuth.makeSession({ sessionKey: `s${i}` }), (auth) =>
              auth.signIn({ username: "alice", password: secret, flow: "USER_PASSWORD_AUTH" })
            )
        ),
        IdentityProvider.IdentityProvider,
        provider
      )
      const timed = <A, E>(effect: import("effect/Effect").Effect<A, E>) =>
        Effect.gen(function* () {
          const start = performance.now()
          yield* effect
          return performance.now() - start
        })
      const getAll = Effect.forEach(sessions, (auth) => auth.getTokens(), { discard: true })
      const valid = yield* timed(getAll)
      yield* TestClock.adjust("2 hours")
      const direct = (offset: number) =>
        Effect.forEach(
          refreshTokens.slice(offset, offset + count / 2),
          (token) =>
            cognito.provider.initiateAuth({
              authFlow: "REFRESH_TOKEN_AUTH",
              refreshToken: Redacted.make(token)
            }),
          { discard: true }
        )
      const before = yield* cognito.requestCount("InitiateAuth")
      // TestCognito alone, in two halves around ours, so neither side gets only the warm JIT.
      const directFirst = yield* timed(direct(count))
      const afterDirect = yield* cognito.requestCount("InitiateAuth")
      const expired = yield* timed(getAll)
      const afterOurs = yield* cognito.requestCount("InitiateAuth")
      const directSecond = yield* timed(direct(count + count / 2))
      return {
        valid,
        expired,
        direct: directFirst + directSecond,
        directRequests: afterDirect - before + (yield* cognito.requestCount("InitiateAuth")) - afterOurs,
        ourRequests: afterOurs - afterDirect
      }
    }).pipe(
      Effect.scoped,
      Effect.provide(Layer.mergeAll(TestCognito.layerCognito({ ...options, restore: snapshot }), SecureRandom.layer)),
      Effect.provide(TestClock.layer())
    )
  )
}

// -----------------------------------------------------------------------------
// Parent
// -----------------------------------------------------------------------------

const runChild = (args: ReadonlyArray<string>) =>
  new Promise<unknown>((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--max-old-space-size=12288", self, ...args], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.on("error", reject)
    child.on("exit", (code) => {
      const line = out.trim().split("\n").at(-1) ?? ""
      if (code !== 0) reject(new Error(`child ${args.join(" ")} exited with ${code}: ${out}`))
      else resolve(JSON.parse(line))
    })
  })

const libraries: ReadonlyArray<Library> = [
  "effect-cognito",
  "effect-cognito (evicting)",
  "amazon-cognito-identity-js",
  "aws-amplify"
]

export const runSessionsBench = async () => {
  const built = ["core", "node", "test-kit"].filter(
    (name) => !existsSync(fileURLToPath(new URL(`../packages/${name}/dist/index.js`, import.meta.url)))
  )
  if (built.length > 0)
    throw new Error(
      `bench/sessions.ts measures the built packages: run npm run build first (no dist in ${built.join(", ")})`
    )
  const sizes = (process.env.BENCH_SESSIONS ?? "1000,10000,100000").split(",").map((size) => scaled(Number(size)))
  const sample = tokensOf(0)
  console.log("Many users in one process: heap per idle signed-in session (after GC), from the built packages")
  console.log(
    `tokens per user: id ${sample.idToken.length}, access ${sample.accessToken.length}, refresh ${sample.refreshToken.length} characters; "evicting" keeps at most 1,000 sessions' tokens in memory (Auth.MaxInMemorySessions)\n`
  )
  const table: Record<string, Record<string, string>> = {}
  const figures: Record<string, Record<number, number>> = {}
  for (const library of libraries) {
    table[library] = {}
    figures[library] = {}
    for (const size of sizes) {
      const result = (await runChild(["heap", library, String(size)])) as { perSession: number }
      ;(figures[library] as Record<number, number>)[size] = result.perSession
      ;(table[library] as Record<string, string>)[size.toLocaleString("en-US")] =
        `${Math.round(result.perSession).toLocaleString("en-US")} B`
    }
  }
  console.table(table)
  const largest = sizes.at(-1) as number
  const ours = figures["effect-cognito"]?.[largest] ?? Number.NaN
  for (const peer of ["amazon-cognito-identity-js", "aws-amplify"] as const) {
    const theirs = figures[peer]?.[largest] ?? Number.NaN
    console.log(`at ${largest.toLocaleString("en-US")}: ours / ${peer} = ${(ours / theirs).toFixed(2)}`)
  }
  console.log(`goal: <= 8,192 B per session at ${largest.toLocaleString("en-US")}: ${ours <= 8192 ? "met" : "NOT met"}`)

  const count = scaled(10_000)
  const refresh = (await runChild(["refresh", String(count)])) as {
    valid: number
    expired: number
    direct: number
    directRequests: number
    ourRequests: number
  }
  console.log(`\n${count.toLocaleString("en-US")} sessions' getTokens (sequential, TestCognito in process, TestClock):`)
  console.table({
    "all valid": { ms: refresh.valid.toFixed(1), requests: 0 },
    "all expired (each refreshes once)": { ms: refresh.expired.toFixed(1), requests: refresh.ourRequests },
    "TestCognito alone, REFRESH_TOKEN_AUTH": { ms: refresh.direct.toFixed(1), requests: refresh.directRequests }
  })
  const ratio = refresh.expired / refresh.direct
  console.log(
    `expired refresh / TestCognito alone = ${ratio.toFixed(2)} (goal <= 1.5: ${ratio <= 1.5 ? "met" : "NOT met"}); requests ${refresh.ourRequests} (expected ${count})`
  )
}

const [mode, ...rest] = process.argv.slice(2)
if (mode === "heap") {
  heapChild(rest[0] as Library, Number(rest[1])).then(
    (result) => console.log(JSON.stringify(result)),
    (error: unknown) => {
      console.error(error)
      process.exitCode = 1
    }
  )
} else if (mode === "refresh") {
  refreshChild(Number(rest[0])).then(
    (result) => console.log(JSON.stringify(result)),
    (error: unknown) => {
      console.error(error)
      process.exitCode = 1
    }
  )
} else if (process.argv[1] === self) {
  runSessionsBench().catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
}
