/**
 * The local Cognito's registry: user pools (each a `TestCognito`), their app clients and
 * the identity pools, with the setup and admin actions that scripts and the AWS SDKs
 * drive pools with. Admin actions are accepted unsigned, as the local server runs on
 * loopback only.
 *
 * The state lives in `registryState.ts`; the actions by concern in `userPoolSetup.ts`,
 * `userPoolAdmin.ts` and `identityPools.ts`; this module names them for the server.
 *
 * @internal
 */
import type * as AuthError from "@effect-cognito/core/AuthError"
import type * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import type * as LocalCognito from "../../LocalCognito.js"
import * as DomainActions from "./domainActions.js"
import * as State from "./registryState.js"
import * as IdentityPools from "./identityPools.js"
import * as UserPoolAdmin from "./userPoolAdmin.js"
import * as UserPoolSetup from "./userPoolSetup.js"

/** The registry's records, as the server reads them. */
export type { Client, IdentityPool, IdentityPoolDescription, Pool } from "./registryState.js"

/** A registry of pools, clients and identity pools, with the actions that manage them. */
export const make = (
  region: string,
  endpoint: string,
  identityPoolFactory: LocalCognito.Options["identityPools"],
  upstream?: HttpClient.HttpClient
) => {
  const state = State.make(region, endpoint, upstream)
  const { pools, clients, identityPools } = state
  const findPool = (action: string, id: string) => State.findPool(state, action, id)
  const {
    createUserPool,
    describeUserPool,
    listUserPools,
    createUserPoolClient,
    describeUserPoolClient,
    updateUserPool,
    setUserPoolMfaConfig,
    getUserPoolMfaConfig,
    restorePool,
    addClient,
    describeClient
  } = UserPoolSetup.make(state)
  const domains = DomainActions.make(state)
  const {
    adminCreateUser,
    adminConfirmSignUp,
    adminGetUser,
    adminSetUserPassword,
    adminUserGlobalSignOut,
    listUsers,
    adminSetUserMFAPreference,
    adminDisableUser,
    adminDeleteUser,
    adminListDevices,
    adminGetDevice,
    adminUpdateDeviceStatus,
    adminForgetDevice
  } = UserPoolAdmin.make(state)
  const { register, createIdentityPool, describeIdentityPool, getId, getCredentialsForIdentity, credentialsOf } =
    IdentityPools.make(state, identityPoolFactory)

  /** The setup and admin actions of the user-pool service, by name. */
  const userPoolActions: Readonly<Record<string, (body: unknown) => Effect.Effect<unknown, AuthError.AuthError>>> = {
    CreateUserPool: createUserPool,
    DescribeUserPool: describeUserPool,
    ListUserPools: listUserPools,
    CreateUserPoolClient: createUserPoolClient,
    DescribeUserPoolClient: describeUserPoolClient,
    UpdateUserPool: updateUserPool,
    SetUserPoolMfaConfig: setUserPoolMfaConfig,
    GetUserPoolMfaConfig: getUserPoolMfaConfig,
    UpdateUserPoolClient: (body: unknown) => domains.updateUserPoolClient(body, describeClient),
    ...domains.actions,
    AdminCreateUser: adminCreateUser,
    AdminConfirmSignUp: adminConfirmSignUp,
    AdminGetUser: adminGetUser,
    AdminSetUserPassword: adminSetUserPassword,
    AdminUserGlobalSignOut: adminUserGlobalSignOut,
    ListUsers: listUsers,
    AdminSetUserMFAPreference: adminSetUserMFAPreference,
    AdminDisableUser: adminDisableUser,
    AdminDeleteUser: adminDeleteUser,
    AdminListDevices: adminListDevices,
    AdminGetDevice: adminGetDevice,
    AdminUpdateDeviceStatus: adminUpdateDeviceStatus,
    AdminForgetDevice: adminForgetDevice
  }

  /** The actions of the identity service, by name. */
  const identityPoolActions: Readonly<Record<string, (body: unknown) => Effect.Effect<unknown, AuthError.AuthError>>> =
    {
      CreateIdentityPool: createIdentityPool,
      DescribeIdentityPool: describeIdentityPool,
      GetId: getId,
      GetCredentialsForIdentity: getCredentialsForIdentity
    }

  return {
    region,
    state,
    pools,
    clients,
    identityPools,
    userPoolActions,
    identityPoolActions,
    findPool,
    poolOfDomain: domains.poolOfDomain,
    createUserPool,
    createUserPoolClient,
    setUserPoolMfaConfig,
    createIdentityPool,
    credentialsOf,
    /** Adding pools, clients and identity pools as the state file holds them. */
    restore: { pool: restorePool, client: addClient, identityPool: register }
  }
}

/** The registry. */
export type Registry = ReturnType<typeof make>
