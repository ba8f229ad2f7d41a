import * as AuthError from "@effect-cognito/core/AuthError"
import { assert, describe, it } from "@effect/vitest"

describe("AuthError", () => {
  it("maps Cognito's exception names to reasons, with or without decorations", () => {
    assert.strictEqual(AuthError.reasonFromException("NotAuthorizedException"), "NotAuthorized")
    assert.strictEqual(
      AuthError.reasonFromException("com.amazonaws.cognito.identity.idp.model#UsernameExistsException"),
      "UsernameExists"
    )
    assert.strictEqual(
      AuthError.reasonFromException(
        "CodeMismatchException:http://internal.amazon.com/coral/com.amazon.coral.validate/"
      ),
      "CodeMismatch"
    )
    assert.strictEqual(AuthError.reasonFromException("TooManyRequestsException"), "TooManyRequests")
    assert.isUndefined(AuthError.reasonFromException("SomethingNewException"))
  })

  it("maps UnauthorizedException (RevokeToken of a token another app client holds) to NotAuthorized", () => {
    assert.strictEqual(AuthError.reasonFromException("UnauthorizedException"), "NotAuthorized")
  })

  it("maps every reason it names back to an exception Cognito uses", () => {
    for (const reason of AuthError.CognitoReasons) {
      const exception = AuthError.exceptionForReason(reason)
      assert.isDefined(exception, reason)
      assert.strictEqual(AuthError.reasonFromException(exception!), reason)
    }
  })

  it("derives its message from method, reason and description", () => {
    const error = AuthError.make("CodeMismatch", "confirmSignUp", "Invalid verification code provided")
    assert.strictEqual(error.message, "confirmSignUp failed (CodeMismatch): Invalid verification code provided")
    assert.strictEqual(error._tag, "AuthError")
    assert.isTrue(AuthError.isAuthError(error))
    assert.isFalse(AuthError.isAuthError(new Error("x")))
  })

  it("classifies transient failures", () => {
    assert.isTrue(AuthError.isTransient(AuthError.make("Transport", "x")))
    assert.isTrue(AuthError.isTransient(AuthError.make("TooManyRequests", "x")))
    assert.isTrue(AuthError.isTransient(AuthError.make("InternalError", "x")))
    assert.isTrue(AuthError.isTransient(AuthError.make("InvalidResponse", "x", "HTML", { status: 502 })))
    assert.isFalse(AuthError.isTransient(AuthError.make("InvalidResponse", "x", "garbage", { status: 200 })))
    assert.isFalse(AuthError.isTransient(AuthError.make("NotAuthorized", "x")))
  })
})
