/**
 * The realtime protocol's JSON envelopes: `{"<message type>": {...}, "cid": "<n>"}`. A request
 * with a `cid` is answered with the same `cid` — a `pong`, or an `error` with Nakama's rtapi error
 * codes. Pushes from the server carry no `cid`. Parsing never throws: every bad input becomes an
 * error envelope, and the socket stays open.
 */

/** An outgoing envelope: one message type key (and `cid` when it answers a request). */
export type Envelope = { cid?: string } & Record<string, unknown>;

/** Nakama's `rtapi.Error.Code` values that Tessera sends. */
export const RtErrorCode = {
  RUNTIME_EXCEPTION: 0,
  UNRECOGNIZED_PAYLOAD: 1,
  MISSING_PAYLOAD: 2,
  BAD_INPUT: 3,
} as const;
export type RtErrorCode = (typeof RtErrorCode)[keyof typeof RtErrorCode];

/**
 * Message types a Nakama client may send that Tessera does not implement yet (chat, matches,
 * matchmaking, parties, status, RPC). They are answered with UNRECOGNIZED_PAYLOAD and a message
 * saying so, instead of the "unknown type" answer a typo gets.
 */
const NAKAMA_MESSAGE_TYPES = new Set([
  "channel_join",
  "channel_leave",
  "channel_message_send",
  "channel_message_update",
  "channel_message_remove",
  "match_create",
  "match_data_send",
  "match_join",
  "match_leave",
  "matchmaker_add",
  "matchmaker_remove",
  "party_create",
  "party_join",
  "party_leave",
  "party_promote",
  "party_accept",
  "party_remove",
  "party_close",
  "party_join_request_list",
  "party_matchmaker_add",
  "party_matchmaker_remove",
  "party_data_send",
  "party_update",
  "rpc",
  "status_follow",
  "status_unfollow",
  "status_update",
]);

/** Longest message type name echoed back in an error, so a client cannot make us echo megabytes. */
const TYPE_NAME_ECHO_MAX = 64;

export function errorEnvelope(cid: string | undefined, code: RtErrorCode, message: string): Envelope {
  return cid === undefined ? { error: { code, message } } : { cid, error: { code, message } };
}

/** The answer to one text frame, or undefined when none is due (a `pong`). */
export function answerEnvelope(text: string): Envelope | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return errorEnvelope(undefined, RtErrorCode.BAD_INPUT, 'Invalid JSON: an envelope is a JSON object such as {"ping":{},"cid":"1"}.');
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return errorEnvelope(undefined, RtErrorCode.BAD_INPUT, "An envelope must be a JSON object.");
  }
  const fields = parsed as Record<string, unknown>;
  const rawCid = fields["cid"];
  if (rawCid !== undefined && typeof rawCid !== "string") {
    return errorEnvelope(undefined, RtErrorCode.BAD_INPUT, "Envelope field cid must be a string.");
  }
  // An empty cid is no cid, as in Nakama (proto3 strings have no "empty but present").
  const cid = rawCid === "" ? undefined : rawCid;

  const types = Object.keys(fields).filter((k) => k !== "cid");
  if (types.length === 0) return errorEnvelope(cid, RtErrorCode.MISSING_PAYLOAD, "Missing message.");
  if (types.length > 1) {
    return errorEnvelope(cid, RtErrorCode.BAD_INPUT, `An envelope holds exactly one message; got ${types.map(shortName).join(", ")}.`);
  }
  const type = types[0]!;
  const payload = fields[type];
  if (payload === null) return errorEnvelope(cid, RtErrorCode.MISSING_PAYLOAD, "Missing message.");
  if (typeof payload !== "object" || Array.isArray(payload)) {
    return errorEnvelope(cid, RtErrorCode.BAD_INPUT, `Message ${shortName(type)} must be a JSON object.`);
  }

  switch (type) {
    case "ping":
      return cid === undefined ? { pong: {} } : { cid, pong: {} };
    case "pong":
      // A client's answer to an application-level ping; Nakama answers nothing either.
      return undefined;
    default:
      if (NAKAMA_MESSAGE_TYPES.has(type)) {
        return errorEnvelope(
          cid,
          RtErrorCode.UNRECOGNIZED_PAYLOAD,
          `Message type "${type}" is not supported by this server: Tessera's realtime socket carries pings and notifications only (no chat, matches, matchmaking, parties, status or RPC yet).`,
        );
      }
      return errorEnvelope(cid, RtErrorCode.UNRECOGNIZED_PAYLOAD, `Unrecognized message type ${shortName(type)}.`);
  }
}

function shortName(type: string): string {
  return JSON.stringify(type.length > TYPE_NAME_ECHO_MAX ? type.slice(0, TYPE_NAME_ECHO_MAX) + "…" : type);
}
