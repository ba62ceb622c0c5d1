/**
 * Timeouts used when the caller gives none; every one can be overridden per client (and
 * per request), 0 meaning "none".
 */

/** Opening a connection (TCP/unix connect and TLS handshake). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Waiting for the reply to one request. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/**
 * After this long without receiving anything, send `echo`; if nothing arrives within as
 * long again, drop the connection. OVS's own clients and ovsdb-server use 5 s.
 */
export const DEFAULT_INACTIVITY_PROBE_MS = 5_000;

/** `OvsdbIdl.connect`: connecting (with retries) and the first complete sync. */
export const DEFAULT_IDL_CONNECT_TIMEOUT_MS = 30_000;
