/**
 * How SIGINT and SIGTERM end the CLI. `NodeRuntime.runMain` interrupts the command (its
 * finalizers run: a prompt gives the terminal back, `local` removes its ids) and then calls
 * `process.exit`, which waits for every thread of libuv's pool: one blocked in a system
 * call (an `open` that waits for a FIFO's writer, a hung network file system) would keep
 * the process alive after the signal, and the next signal too. So once the command is
 * interrupted, the process ends as an uncaught signal ends it (the shell sees 130 for
 * SIGINT, 143 for SIGTERM), and a second signal ends it at once, without waiting for the
 * interruption.
 *
 * @internal
 */
import * as Runtime from "effect/Runtime"

const signals = ["SIGINT", "SIGTERM"] as const

/** Ends the process by `signal`, as if nothing caught it. */
const dieBy = (signal: NodeJS.Signals): void => {
  for (const name of signals) process.removeAllListeners(name)
  process.kill(process.pid, signal)
}

/** Listens for the signals; the teardown for `runMain` that ends the process by the one received. */
export const install = (): Runtime.Teardown => {
  let received: NodeJS.Signals | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    if (received !== undefined) return dieBy(signal)
    received = signal
  }
  for (const name of signals) process.on(name, onSignal)
  return (exit, onExit) => {
    if (received !== undefined) return dieBy(received)
    for (const name of signals) process.removeListener(name, onSignal)
    Runtime.defaultTeardown(exit, onExit)
  }
}
