/**
 * The domain's HTML pages: the login page (a real form: `username`, `password`, `_csrf`),
 * the MFA page (`code`), the new-password page (`password`), the error page, and the
 * "Continue with <provider>" links. Every value written into a page is escaped.
 *
 * @internal
 */

/** Text safe inside HTML elements and attribute values. */
export const escapeHtml = (text: string) =>
  text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;")

const page = (title: string, body: string) =>
  `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem}label,input,button,a.provider{display:block;width:100%;margin:.4rem 0;box-sizing:border-box}input,button,a.provider{padding:.5rem}.error{color:#b00020}</style>
</head>
<body>
${body}
</body>
</html>
`

const errorLine = (error: string | undefined) =>
  error === undefined ? "" : `<p class="error" id="loginErrorMessage" role="alert">${escapeHtml(error)}</p>`

/** The login page: the providers' buttons, then the form (when `COGNITO` is supported). */
export const login = (options: {
  readonly action: string
  readonly csrf: string
  readonly providers: ReadonlyArray<{ readonly name: string; readonly href: string }>
  readonly form: boolean
  readonly error?: string | undefined
  readonly username?: string | undefined
}) =>
  page(
    "Sign in",
    `<h1>Sign in</h1>
${errorLine(options.error)}
${options.providers
  .map(
    (p) =>
      `<a class="provider" id="provider-${escapeHtml(p.name)}" href="${escapeHtml(p.href)}">Continue with ${escapeHtml(p.name)}</a>`
  )
  .join("\n")}
${
  options.form
    ? `<form method="post" action="${escapeHtml(options.action)}" name="cognitoSignInForm">
<input type="hidden" name="_csrf" value="${escapeHtml(options.csrf)}">
<label for="signInFormUsername">Username</label>
<input id="signInFormUsername" name="username" type="text" autocomplete="username" required value="${escapeHtml(options.username ?? "")}">
<label for="signInFormPassword">Password</label>
<input id="signInFormPassword" name="password" type="password" autocomplete="current-password" required>
<button type="submit" name="signInSubmitButton">Sign in</button>
</form>`
    : ""
}`
  )

/** The page of a challenge: an MFA code, or a new password. */
export const challenge = (options: {
  readonly kind: "mfa" | "newPassword"
  readonly action: string
  readonly csrf: string
  readonly session: string
  readonly prompt: string
  readonly error?: string | undefined
}) =>
  page(
    options.kind === "mfa" ? "Multi-factor authentication" : "Change password",
    `<h1>${options.kind === "mfa" ? "Multi-factor authentication" : "Change password"}</h1>
<p>${escapeHtml(options.prompt)}</p>
${errorLine(options.error)}
<form method="post" action="${escapeHtml(options.action)}" name="${options.kind === "mfa" ? "mfaForm" : "newPasswordForm"}">
<input type="hidden" name="_csrf" value="${escapeHtml(options.csrf)}">
<input type="hidden" name="session" value="${escapeHtml(options.session)}">
${
  options.kind === "mfa"
    ? `<label for="code">Code</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required>`
    : `<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required>`
}
<button type="submit" name="submitButton">${options.kind === "mfa" ? "Sign in" : "Send"}</button>
</form>`
  )

/** The error page (a redirect URI that is not allowed, an unknown client…). */
export const error = (message: string) =>
  page("Error", `<h1>An error was encountered with the requested page.</h1>\n${errorLine(message)}`)
