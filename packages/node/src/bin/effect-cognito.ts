#!/usr/bin/env node
/**
 * The `effect-cognito` executable (the node package's `bin`): runs the CLI on the
 * process's arguments. See `effect-cognito --help`.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cli from "../internal/cli/main.js"

NodeRuntime.runMain(Cli.run(process.argv), { disableErrorReporting: true })
