#!/usr/bin/env node
/**
 * The `effect-cognito` executable (the node package's `bin`): runs the CLI on the
 * process's arguments. See `effect-cognito --help`. SIGINT and SIGTERM interrupt the
 * command, then end the process (see `internal/cli/signals.ts`).
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cli from "../internal/cli/main.js"
import * as Signals from "../internal/cli/signals.js"

NodeRuntime.runMain(Cli.run(process.argv), { disableErrorReporting: true, teardown: Signals.install() })
