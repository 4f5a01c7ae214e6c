/** Nakama's fixed error messages, which clients match on: the server sends them, tests and SDKs compare with them. */
export const Messages = {
  serverKeyRequired: "Server key required",
  serverKeyInvalid: "Server key invalid",
  authTokenRequired: "Auth token required",
  authTokenInvalid: "Auth token invalid",
  accountNotFound: "User account not found.",
  accountBanned: "User account banned.",
  invalidCredentials: "Invalid credentials.",
  usernameInUse: "Username is already in use.",
  refreshTokenRequired: "Refresh token is required.",
  refreshTokenInvalid: "Refresh token invalid or expired.",
  resourceNotFound: "Requested resource was not found.",
} as const;
