/**
 * A username is taken once over HTTP too: parallel SignUp requests for one name against
 * the local Cognito end with one user, one 200 and Cognito's `UsernameExistsException`
 * (400) for every other request.
 */
import { randomUUID } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as LocalCognito from "../src/LocalCognito.js"

const attempts = 50

interface Answer {
  readonly status: number
  readonly body: Record<string, unknown>
}

/** One SignUp over loopback HTTP, in AWS JSON 1.1 as the AWS SDK sends it. */
const signUp = (local: LocalCognito.LocalCognito.Service, username: string, i: number): Promise<Answer> =>
  fetch(local.endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "AWSCognitoIdentityProviderService.SignUp"
    },
    body: JSON.stringify({
      ClientId: local.defaultPool.clientId,
      Username: username,
      Password: `Abc@123!x${i}`,
      UserAttributes: [{ Name: "email", Value: `${username}.${i}@example.com` }]
    })
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }))

layer(LocalCognito.layer(), { excludeTestServices: true })("LocalCognito concurrent sign-ups", (it) => {
  it.effect(
    "50 parallel SignUps of one name over HTTP: exactly one succeeds, the others UsernameExistsException",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const username = `racer-${randomUUID().slice(0, 8)}`
        const answers = yield* Effect.promise(() =>
          Promise.all(Array.from({ length: attempts }, (_, i) => signUp(local, username, i)))
        )
        const summary = JSON.stringify(answers.map((answer) => `${answer.status} ${String(answer.body.__type)}`))
        const winners = answers.filter((answer) => answer.status === 200)
        assert.strictEqual(winners.length, 1, summary)
        const losers = answers.filter((answer) => answer.status !== 200)
        assert.strictEqual(losers.length, attempts - 1, summary)
        for (const loser of losers) {
          assert.strictEqual(loser.status, 400, summary)
          assert.strictEqual(loser.body.__type, "UsernameExistsException", summary)
        }
        const pool = yield* local.pool(local.defaultPool.userPoolId)
        const users = (yield* pool.listUsers).filter((user) => user.username === username)
        assert.strictEqual(users.length, 1)
        assert.strictEqual(users[0]?.attributes.sub, winners[0]?.body.UserSub)
      }),
    60_000
  )
})
