/** Must not type-check: `internal/` is not part of any package's exports. */
import * as internal from "@effect-cognito/core/internal/auth"

export const reached = internal
