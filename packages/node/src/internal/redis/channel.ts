/**
 * The events of an app client's sessions on one Redis pub/sub channel, with one
 * subscription per process and channel, however many sessions listen: node-redis opens a
 * connection per subscription, and a server keeps a session per end user. Each message
 * names the session it concerns and the context that sent it; none holds a token.
 *
 * The subscription is shared by every listener of the same `Redis` service and channel,
 * opened by the first and closed with the last. node-redis re-subscribes after a lost
 * connection (what was published meanwhile is missed); a subscription that fails outright
 * is opened again a second later.
 *
 * @internal
 */
import * as BoundedJson from "@effect-cognito/core/BoundedJson"
import * as SessionSync from "@effect-cognito/core/SessionSync"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Redis from "effect/persistence/Redis"
import * as Queue from "effect/Queue"
import * as Scope from "effect/Scope"

/** One event on the channel. */
export interface Message {
  /** The session's name: `effect-cognito.<userPoolId>.<clientId>[.<sessionKey>]`. */
  readonly session: string
  /** The context that published it, so it does not follow its own events. */
  readonly origin: string
  readonly event: SessionSync.Event
}

/** The message as sent: a version, the session, the origin and the event's tag. */
export const encode = (message: Message): string =>
  JSON.stringify({ v: 1, s: message.session, o: message.origin, e: message.event._tag })

/** A message as received; `undefined` for anything else (whoever can publish on the channel sent it). */
export const decode = (text: string): Message | undefined => {
  const parsed = BoundedJson.decode(text)
  if (parsed._tag === "Failure") return undefined
  const value = parsed.success
  if (typeof value !== "object" || value === null) return undefined
  const { v, s, o, e } = value as Record<string, unknown>
  if (v !== 1 || typeof s !== "string" || typeof o !== "string") return undefined
  const event = { _tag: e }
  return SessionSync.isEvent(event) ? { session: s, origin: o, event: { _tag: event._tag } } : undefined
}

type Listener = (message: Message) => void

interface Shared {
  readonly listeners: Set<Listener>
  readonly scope: Scope.Closeable
  /** Done once the first subscription was attempted. */
  readonly subscribed: Deferred.Deferred<void>
}

const shared = new WeakMap<Redis.Redis["Service"], Map<string, Shared>>()

/** Receives the channel's messages and hands each to every listener, subscribing again when the subscription fails. */
const pump = (redis: Redis.Redis["Service"], channel: string, entry: Shared) =>
  Effect.scoped(
    Effect.gen(function* () {
      const queue = yield* redis.subscribe(channel)
      yield* Deferred.succeed(entry.subscribed, undefined)
      while (true) {
        const received = yield* Queue.take(queue)
        const message = decode(received.message)
        if (message !== undefined) for (const listener of entry.listeners) listener(message)
      }
    })
  ).pipe(
    Effect.catch((error) =>
      Effect.logWarning("effect-cognito: the Redis subscription failed; subscribing again").pipe(
        Effect.annotateLogs({ channel, problem: String(error.cause) }),
        Effect.andThen(Deferred.succeed(entry.subscribed, undefined)),
        Effect.andThen(Effect.sleep(1_000))
      )
    ),
    Effect.forever
  )

/**
 * Calls `listener` with each message on `channel` until the scope closes. Returns once
 * the channel's subscription is in place (or its first attempt failed, or `waitMillis` passed).
 */
export const listen = (
  redis: Redis.Redis["Service"],
  channel: string,
  waitMillis: number,
  listener: Listener
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.suspend(() => {
      let byChannel = shared.get(redis)
      if (byChannel === undefined) {
        byChannel = new Map()
        shared.set(redis, byChannel)
      }
      const existing = byChannel.get(channel)
      if (existing !== undefined) {
        existing.listeners.add(listener)
        return Effect.succeed(existing)
      }
      const entry: Shared = {
        listeners: new Set([listener]),
        scope: Scope.makeUnsafe(),
        subscribed: Deferred.makeUnsafe<void>()
      }
      byChannel.set(channel, entry)
      return Effect.as(Effect.forkIn(pump(redis, channel, entry), entry.scope), entry)
    }),
    (entry) =>
      Effect.suspend(() => {
        entry.listeners.delete(listener)
        if (entry.listeners.size > 0) return Effect.void
        shared.get(redis)?.delete(channel)
        return Scope.close(entry.scope, Exit.void)
      })
  ).pipe(Effect.flatMap((entry) => Effect.ignore(Effect.timeout(Deferred.await(entry.subscribed), waitMillis))))
