/** Bench app: amazon-cognito-identity-js signs in (SRP), gets the session, signs out. */
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js"

const pool = new CognitoUserPool({ UserPoolId: "eu-west-1_AbCdEf123", ClientId: "client" })
const user = new CognitoUser({ Username: "alice", Pool: pool })
user.authenticateUser(new AuthenticationDetails({ Username: "alice", Password: "Abc@123!x" }), {
  onSuccess: (session) => {
    document.body.textContent = session.getIdToken().getJwtToken()
    user.signOut()
  },
  onFailure: (error: Error) => {
    document.body.textContent = error.message
  }
})
