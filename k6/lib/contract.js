// The external contract (DESIGN §3) as types and parsers. Each parser takes what the server sent and returns the
// typed value, or null when the shape is wrong, so a changed contract shows up as a failed check, not as a
// TypeError in the middle of a run.

/** @typedef {import('k6').JSONValue} JSONValue */
/** @typedef {import('k6').JSONObject} JSONObject */

/**
 * The 503 body for API clients who must wait.
 * @typedef {object} QueuedBody
 * @property {string} room
 * @property {string} ticket the signed ticket token (what `t=` carries)
 * @property {number} position
 * @property {number | null} etaSeconds null while unknown
 * @property {string} waitUrl `/_wr/wait/<room>?t=…&return=…`
 * @property {string} wsUrl `/ws?room=<room>&t=…`
 */

/**
 * `GET /_wr/rooms/<room>/tickets/<ticket>`.
 * @typedef {object} TicketStatus
 * @property {'waiting' | 'active' | 'gone'} state
 * @property {number | null} position
 * @property {number | null} etaSeconds
 * @property {boolean} queueOn
 * @property {string | null} enterUrl present once active
 */

/** @typedef {{ type: 'position', position: number, etaSeconds: number | null, queueOn: boolean }} PositionMessage */
/** @typedef {{ type: 'admitted', enterUrl: string }} AdmittedMessage */
/** @typedef {{ type: 'gone', reason: string }} GoneMessage */
/** @typedef {PositionMessage | AdmittedMessage | GoneMessage} HubMessage server → client frames on `/ws` */

/**
 * `GET /_wr/admin/rooms/<room>` (the fields the scripts read).
 * @typedef {object} RoomView
 * @property {string} room
 * @property {string} mode Auto | On | Off | Paused
 * @property {boolean} queueOn
 * @property {string} reason
 * @property {number} ratePerSecond
 * @property {number} waiting
 * @property {number} active
 */

/** @typedef {{ id: number, name: string }} Concert */
/** @typedef {{ id: number, performanceId: number, section: string, row: string, number: number, status: string }} Seat */
/** @typedef {{ id: string, seatId: number, expiresAt: string }} Hold */
/** @typedef {{ id: string, holdId: string, seatId: number }} Reservation */

/** The frame a waiting client sends every heartbeat interval. */
export const HEARTBEAT_FRAME = JSON.stringify({ type: 'heartbeat' });

/**
 * The body as JSON, or undefined when it is empty or not JSON.
 * @param {import('k6/http').Response} res
 * @returns {JSONValue | undefined}
 */
export function jsonBody(res) {
  if (typeof res.body !== 'string' || res.body.length === 0) {
    return undefined;
  }

  try {
    return res.json();
  } catch (_) {
    return undefined;
  }
}

/**
 * @param {string} text
 * @returns {JSONValue | undefined}
 */
export function parseJson(text) {
  try {
    return /** @type {JSONValue} */ (JSON.parse(text));
  } catch (_) {
    return undefined;
  }
}

/**
 * @param {JSONValue | undefined} value
 * @returns {value is JSONObject}
 */
export function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @param {JSONObject} o
 * @param {string} key
 * @returns {string | undefined}
 */
function str(o, key) {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * @param {JSONObject} o
 * @param {string} key
 * @returns {number | undefined}
 */
function num(o, key) {
  const v = o[key];
  return typeof v === 'number' ? v : undefined;
}

/**
 * A number, or null when the member is null or missing (`etaSeconds` before the first admission).
 * @param {JSONObject} o
 * @param {string} key
 * @returns {number | null | undefined} undefined when it is something else
 */
function numOrNull(o, key) {
  const v = o[key];
  return v === null || v === undefined ? null : typeof v === 'number' ? v : undefined;
}

/**
 * @param {JSONObject} o
 * @param {string} key
 * @returns {boolean | undefined}
 */
function bool(o, key) {
  const v = o[key];
  return typeof v === 'boolean' ? v : undefined;
}

/**
 * The waiting room's 503 body, or null.
 * @param {JSONValue | undefined} value
 * @returns {QueuedBody | null}
 */
export function asQueued(value) {
  if (!isObject(value)) {
    return null;
  }

  const room = str(value, 'room');
  const ticket = str(value, 'ticket');
  const position = num(value, 'position');
  const etaSeconds = numOrNull(value, 'etaSeconds');
  const waitUrl = str(value, 'waitUrl');
  const wsUrl = str(value, 'wsUrl');
  return room !== undefined && ticket && position !== undefined && etaSeconds !== undefined && waitUrl && wsUrl
    ? { room, ticket, position, etaSeconds, waitUrl, wsUrl }
    : null;
}

/**
 * @param {JSONValue | undefined} value
 * @returns {TicketStatus | null}
 */
export function asTicketStatus(value) {
  if (!isObject(value)) {
    return null;
  }

  const state = str(value, 'state');
  const queueOn = bool(value, 'queueOn');
  const position = numOrNull(value, 'position');
  const etaSeconds = numOrNull(value, 'etaSeconds');
  const enterUrl = str(value, 'enterUrl') ?? null;
  if ((state !== 'waiting' && state !== 'active' && state !== 'gone') || queueOn === undefined
    || position === undefined || etaSeconds === undefined) {
    return null;
  }

  return { state, position, etaSeconds, queueOn, enterUrl };
}

/**
 * A server → client frame, or null for anything the contract does not define.
 * @param {string} text
 * @returns {HubMessage | null}
 */
export function asHubMessage(text) {
  const value = parseJson(text);
  if (!isObject(value)) {
    return null;
  }

  switch (str(value, 'type')) {
    case 'position': {
      const position = num(value, 'position');
      const etaSeconds = numOrNull(value, 'etaSeconds');
      const queueOn = bool(value, 'queueOn');
      return position !== undefined && etaSeconds !== undefined && queueOn !== undefined
        ? { type: 'position', position, etaSeconds, queueOn }
        : null;
    }
    case 'admitted': {
      const enterUrl = str(value, 'enterUrl');
      return enterUrl ? { type: 'admitted', enterUrl } : null;
    }
    case 'gone': {
      const reason = str(value, 'reason');
      return reason !== undefined ? { type: 'gone', reason } : null;
    }
    default:
      return null;
  }
}

/**
 * @param {JSONValue | undefined} value
 * @returns {RoomView | null}
 */
export function asRoomView(value) {
  if (!isObject(value)) {
    return null;
  }

  const room = str(value, 'room');
  const mode = str(value, 'mode');
  const queueOn = bool(value, 'queueOn');
  const reason = str(value, 'reason') ?? '';
  const ratePerSecond = num(value, 'ratePerSecond');
  const waiting = num(value, 'waiting');
  const active = num(value, 'active');
  return room !== undefined && mode !== undefined && queueOn !== undefined && ratePerSecond !== undefined
    && waiting !== undefined && active !== undefined
    ? { room, mode, queueOn, reason, ratePerSecond, waiting, active }
    : null;
}

/**
 * `GET /api/concerts`.
 * @param {JSONValue | undefined} value
 * @returns {Concert[] | null}
 */
export function asConcerts(value) {
  if (!Array.isArray(value)) {
    return null;
  }

  /** @type {Concert[]} */
  const concerts = [];
  for (const item of value) {
    if (!isObject(item)) {
      return null;
    }

    const id = num(item, 'id');
    const name = str(item, 'name');
    if (id === undefined || name === undefined) {
      return null;
    }

    concerts.push({ id, name });
  }

  return concerts;
}

/**
 * `GET /api/concerts/{id}/seats`.
 * @param {JSONValue | undefined} value
 * @returns {Seat[] | null}
 */
export function asSeats(value) {
  if (!Array.isArray(value)) {
    return null;
  }

  /** @type {Seat[]} */
  const seats = [];
  for (const item of value) {
    if (!isObject(item)) {
      return null;
    }

    const id = num(item, 'id');
    const performanceId = num(item, 'performanceId');
    const section = str(item, 'section');
    const row = str(item, 'row');
    const number = num(item, 'number');
    const status = str(item, 'status');
    if (id === undefined || performanceId === undefined || section === undefined || row === undefined
      || number === undefined || status === undefined) {
      return null;
    }

    seats.push({ id, performanceId, section, row, number, status });
  }

  return seats;
}

/**
 * `POST /api/holds` → 201.
 * @param {JSONValue | undefined} value
 * @returns {Hold | null}
 */
export function asHold(value) {
  if (!isObject(value)) {
    return null;
  }

  const id = str(value, 'id');
  const seatId = num(value, 'seatId');
  const expiresAt = str(value, 'expiresAt');
  return id && seatId !== undefined && expiresAt ? { id, seatId, expiresAt } : null;
}

/**
 * `POST /api/holds/{id}/confirm` → 201.
 * @param {JSONValue | undefined} value
 * @returns {Reservation | null}
 */
export function asReservation(value) {
  if (!isObject(value)) {
    return null;
  }

  const id = str(value, 'id');
  const holdId = str(value, 'holdId');
  const seatId = num(value, 'seatId');
  return id && holdId && seatId !== undefined ? { id, holdId, seatId } : null;
}

/**
 * A response header, whatever its case (k6 hands headers over in Go's canonical form, `Retry-After`,
 * `X-Waitingroom-Command`).
 * @param {import('k6/http').Response} res
 * @param {string} name
 * @returns {string | undefined}
 */
export function header(res, name) {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(res.headers)) {
    if (key.toLowerCase() === wanted) {
      return res.headers[key];
    }
  }

  return undefined;
}
