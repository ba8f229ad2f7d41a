/**
 * Prints one plain closing line, `N passed, N failed, N skipped`, as the very last line
 * (after vitest's own summary), so CI can read how many tests ran.
 */
import type { Reporter, TestModule } from "vitest/node"

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const module of modules)
      for (const test of module.children.allTests()) {
        const state = test.result().state
        if (state === "passed") passed++
        else if (state === "failed") failed++
        else skipped++
      }
    const line = `${passed} passed, ${failed} failed, ${skipped} skipped`
    // Vitest prints its summary after this hook; the line must close the output.
    process.once("exit", () => {
      process.stdout.write(`\n${line}\n`)
    })
  }
}
