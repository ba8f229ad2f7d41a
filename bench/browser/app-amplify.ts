/** Bench app: aws-amplify v6 signs in, gets the session, signs out. */
import { Amplify } from "aws-amplify"
import { fetchAuthSession, signIn, signOut } from "aws-amplify/auth"

Amplify.configure({ Auth: { Cognito: { userPoolId: "eu-west-1_AbCdEf123", userPoolClientId: "client" } } })

const main = async () => {
  const result = await signIn({ username: "alice", password: "Abc@123!x" })
  if (!result.isSignedIn) return
  const session = await fetchAuthSession()
  document.body.textContent = session.tokens?.idToken?.toString() ?? ""
  await signOut()
}

void main()
