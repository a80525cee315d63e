// Parameters shared by every script, read from `k6 run -e NAME=value` (or the environment with
// --include-system-env-vars). A malformed value stops the run at start-up with a message naming it.

/**
 * A non-empty string parameter, or the fallback.
 * @param {string} name
 * @param {string} fallback
 * @returns {string}
 */
export function envString(name, fallback) {
  const value = __ENV[name];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
}

/**
 * An optional string parameter: undefined when unset or empty.
 * @param {string} name
 * @returns {string | undefined}
 */
export function envOptional(name) {
  const value = __ENV[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * A number parameter (finite, and at least `min` when given).
 * @param {string} name
 * @param {number} fallback
 * @param {number} [min]
 * @returns {number}
 */
export function envNumber(name, fallback, min) {
  const raw = envOptional(name);
  if (raw === undefined) {
    return fallback;
  }

  const value = Number(raw);
  if (!Number.isFinite(value) || (min !== undefined && value < min)) {
    throw new Error(`${name} must be a number${min !== undefined ? ` ≥ ${min}` : ''}, got '${raw}'`);
  }

  return value;
}

/**
 * A whole-number parameter.
 * @param {string} name
 * @param {number} fallback
 * @param {number} [min]
 * @returns {number}
 */
export function envInt(name, fallback, min) {
  const value = envNumber(name, fallback, min);
  if (!Number.isInteger(value)) {
    throw new Error(`${name} must be a whole number, got '${value}'`);
  }

  return value;
}

/**
 * A share between 0 and 1.
 * @param {string} name
 * @param {number} fallback
 * @returns {number}
 */
export function envShare(name, fallback) {
  const value = envNumber(name, fallback, 0);
  if (value > 1) {
    throw new Error(`${name} must be between 0 and 1, got '${value}'`);
  }

  return value;
}

/**
 * A k6 duration string such as `30s`, `5m` or `1h30m`.
 * @param {string} name
 * @param {string} fallback
 * @returns {string}
 */
export function envDuration(name, fallback) {
  const value = envString(name, fallback);
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(value)) {
    throw new Error(`${name} must be a k6 duration such as 30s, 5m or 1h30m, got '${value}'`);
  }

  return value;
}

/**
 * Seconds as a k6 duration string (at least one second).
 * @param {number} value
 * @returns {string}
 */
export function seconds(value) {
  return `${Math.max(1, Math.round(value))}s`;
}

/** The edge every request goes to (nginx in front of the proxies and hubs), without a trailing slash. */
export const BASE_URL = envString('BASE_URL', 'http://localhost:8080').replace(/\/+$/, '');

/** The same origin for WebSockets: http → ws, https → wss. */
export const WS_BASE_URL = BASE_URL.replace(/^http/, 'ws');

/** The waiting room guarding the reservation API. */
export const ROOM = envString('ROOM', 'concert');

/** The admin key (`./stack up` prints it); the admin API is used only when it is given. */
export const ADMIN_KEY = envOptional('ADMIN_KEY');

/** The visitor heartbeat period (the rooms' `HeartbeatInterval`). */
export const HEARTBEAT_SECONDS = envNumber('HEARTBEAT_SECONDS', 15, 1);

/** How often a waiting visitor without a socket polls its ticket (each poll is also a heartbeat). */
export const POLL_SECONDS = envNumber('POLL_SECONDS', 5, 1);

/** Where the gated calls go: the reservation API. */
export const GATED_PATH = envString('GATED_PATH', '/api/concerts');

/**
 * An absolute URL for a path the server gave (`/_wr/enter/…`, `/ws?…`) or one of ours.
 * @param {string} pathOrUrl
 * @param {string} [base]
 * @returns {string}
 */
export function absolute(pathOrUrl, base = BASE_URL) {
  return /^[a-z]+:\/\//i.test(pathOrUrl) ? pathOrUrl : `${base}${pathOrUrl.startsWith('/') ? '' : '/'}${pathOrUrl}`;
}
