/* The review API, with the moderator token as a Bearer token (never in a URL). */

import { state } from "./state.js";

let onUnauthorized = () => {};

// The session module signs out on a 401; it registers itself here to keep imports one way.
export function whenUnauthorized(handler) { onUnauthorized = handler; }

export async function call(method, path, body) {
  const headers = { Accept: "application/json", Authorization: `Bearer ${state.token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, credentials: "omit",
                                   body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (_) {
    return { ok: false, status: 0, body: null, message: "The review API could not be reached." };
  }
  let data = null;
  try { data = await response.json(); } catch (_) { /* empty or not JSON */ }
  const result = { ok: response.ok, status: response.status, body: data,
                   message: (data && data.message) || `The API answered ${response.status}.` };
  if (response.status === 401) {
    onUnauthorized("Your token was not accepted (revoked or mistyped). Sign in again.");
  }
  return result;
}
