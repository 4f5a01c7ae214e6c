/** A UUID as Tessera writes them (lower-case hex, any version): account, session, ticket and event ids. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
