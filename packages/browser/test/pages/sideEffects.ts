/** Test page: evaluates every module of the browser package (and the core behind it) and reports what that did. */
// Evaluate Effect itself before the traps, so they see what our code does, not what Effect's
// own module initialisation does.
import "./baseline.js"
import { globalsBefore, touched } from "./traps.js"
import * as Browser from "@effect-cognito/browser"
import * as Core from "@effect-cognito/core"

const before = new Set(globalsBefore)
const added = Object.getOwnPropertyNames(window).filter((name) => !before.has(name))
const modules = [...Object.keys(Browser), ...Object.keys(Core)]

Object.assign(window, { sideEffectsPage: { touched: [...touched], added, modules } })
