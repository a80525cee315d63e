// A waiting visitor: join (the first gated request), wait on the WebSocket until admitted (heartbeats every
// HEARTBEAT_SECONDS, reconnects with backoff and full jitter, then the polling fallback, as the waiting page does),
// and enter with the one-time link.

import http from 'k6/http';
import ws from 'k6/ws';
import { check, sleep } from 'k6';
import { Counter } from 'k6/metrics';
import { BASE_URL, HEARTBEAT_SECONDS, POLL_SECONDS, ROOM, WS_BASE_URL, absolute, envInt } from './env.js';
import { HEARTBEAT_FRAME, asHubMessage, asTicketStatus, header, jsonBody } from './contract.js';
import { JSON_HEADERS, gatedRequest } from './gate.js';

/** @typedef {import('./contract.js').QueuedBody} QueuedBody */
/** @typedef {import('./contract.js').TicketStatus} TicketStatus */
/** @typedef {import('./gate.js').GateResult} GateResult */

/**
 * How a wait ended. `admittedAt` is the client's clock (ms) when the notice arrived.
 * @typedef {{ outcome: 'admitted', enterUrl: string, admittedAt: number, via: 'ws' | 'poll' }
 *   | { outcome: 'gone', reason: string }
 *   | { outcome: 'timeout' }
 *   | { outcome: 'refused', detail: string }} Admission
 */

/**
 * What one socket saw.
 * @typedef {{ admission: Admission | null, closeCode: number | null, frames: number, firstType: string | null }} ListenState
 */

/** Socket failures (no upgrade, or closed without a verdict) before falling back to polling. */
const WS_ATTEMPTS = envInt('WS_ATTEMPTS', 5, 1);

/** Server → client frames by `type` (`invalid` for anything outside the contract). */
export const wsMessages = new Counter('wr_ws_messages');
/** Sockets that ended without a verdict and were opened again. */
export const wsReconnects = new Counter('wr_ws_reconnects');
/** Waits that fell back to polling the ticket. */
export const pollFallbacks = new Counter('wr_poll_fallbacks');

/**
 * The first gated request of a new visitor (the VU's jar unless one is given).
 * @param {string} path
 * @param {import('k6/http').CookieJar} [jar]
 * @returns {GateResult}
 */
export function joinQueue(path, jar) {
  return gatedRequest('GET', path, jar === undefined ? { tags: { step: 'join' } } : { jar, tags: { step: 'join' } });
}

/**
 * `GET /_wr/rooms/<room>/tickets/<ticket>`: the polling fallback, which also counts as a heartbeat.
 * @param {string} ticket the signed ticket token
 * @param {import('k6/http').CookieJar} [jar]
 * @returns {TicketStatus | null}
 */
export function pollTicket(ticket, jar) {
  /** @type {import('k6/http').Params} */
  const params = { headers: JSON_HEADERS, tags: { name: `GET /_wr/rooms/${ROOM}/tickets/{ticket}` } };
  if (jar !== undefined) {
    params.jar = jar;
  }

  const res = http.get(`${BASE_URL}/_wr/rooms/${encodeURIComponent(ROOM)}/tickets/${encodeURIComponent(ticket)}`, params);
  const status = res.status === 200 ? asTicketStatus(jsonBody(res)) : null;
  check(res, { 'ticket status: 200 with state, position, queueOn': () => status !== null });
  return status;
}

/**
 * Follows the one-time entry link without following the redirect: expects `302`, a `Location`, and the admission
 * cookie `wr_<room>` in the jar afterwards.
 * @param {string} enterUrl `/_wr/enter/<room>?code=…`
 * @param {import('k6/http').CookieJar} [jar]
 * @returns {{ ok: boolean, location: string | undefined }}
 */
export function enter(enterUrl, jar) {
  const cookies = jar ?? http.cookieJar();
  const res = http.get(absolute(enterUrl), {
    jar: cookies,
    redirects: 0,
    headers: { Accept: 'text/html,application/json' },
    tags: { name: `GET /_wr/enter/${ROOM}` },
  });
  const location = header(res, 'Location');
  const ok = check(res, {
    'enter: 302 with Location': (r) => r.status === 302 && location !== undefined,
    'enter: admission cookie set': () => (cookies.cookiesForURL(`${BASE_URL}/`)[`wr_${ROOM}`] ?? []).length > 0,
  });
  return { ok, location };
}

/**
 * Waits for admission: the WebSocket first, reconnecting with exponential backoff and full jitter after a failure
 * (the place is kept for AbandonAfter), then polling the ticket. Gives up at `maxWaitSeconds`.
 * @param {QueuedBody} queued the 503 body
 * @param {{ maxWaitSeconds: number, jar?: import('k6/http').CookieJar }} options
 * @returns {Admission}
 */
export function waitForAdmission(queued, options) {
  const deadline = Date.now() + options.maxWaitSeconds * 1000;
  for (let attempt = 1; attempt <= WS_ATTEMPTS && Date.now() < deadline; attempt++) {
    const listened = listen(queued, deadline, options.jar);
    if (listened.admission !== null) {
      return listened.admission;
    }

    if (listened.closeCode === 1008) {
      // The hub refused the ticket (invalid, expired, other room): reconnecting cannot help.
      return { outcome: 'refused', detail: 'the hub closed the socket with 1008 (ticket refused)' };
    }

    if (attempt < WS_ATTEMPTS) {
      wsReconnects.add(1);
      sleep(Math.min(Math.random() * Math.min(10, 0.5 * Math.pow(2, attempt)), Math.max(0, (deadline - Date.now()) / 1000)));
    }
  }

  if (Date.now() < deadline) {
    pollFallbacks.add(1);
  }

  while (Date.now() < deadline) {
    const status = pollTicket(queued.ticket, options.jar);
    if (status?.state === 'active' && status.enterUrl !== null) {
      return { outcome: 'admitted', enterUrl: status.enterUrl, admittedAt: Date.now(), via: 'poll' };
    }

    if (status?.state === 'gone') {
      return { outcome: 'gone', reason: 'gone (polled)' };
    }

    sleep(Math.min(POLL_SECONDS, Math.max(0, (deadline - Date.now()) / 1000)));
  }

  return { outcome: 'timeout' };
}

/**
 * One socket until a verdict (`admitted` or `gone`), the deadline, or the socket ends.
 * @param {QueuedBody} queued
 * @param {number} deadline epoch ms
 * @param {import('k6/http').CookieJar} [jar] the visitor's jar: the hub sends the entry link only with its `wr_vid`
 * @returns {{ admission: Admission | null, closeCode: number | null }}
 */
function listen(queued, deadline, jar) {
  /** @type {ListenState} */
  const state = { admission: null, closeCode: null, frames: 0, firstType: null };
  /** @type {import('k6/ws').Response | null} */
  let res = null;
  try {
    res = connect(absolute(queued.wsUrl, WS_BASE_URL), state, deadline, jar);
  } catch (error) {
    // k6 returns a response with `error` when the dial fails (unless the `throw` option is on): be safe either way.
    console.warn(`VU ${__VU}: WebSocket connect failed: ${String(error)}`);
  }

  check(res, { 'ws: upgraded (101)': (r) => r !== null && r.status === 101 });
  if (state.frames > 0) {
    check(state, {
      // `position` on connect; an already admitted (or lost) ticket may get its `admitted` (or `gone`) first.
      'ws: first frame is position, admitted or gone': (s) => s.firstType !== null && s.firstType !== 'invalid',
    });
  }

  return { admission: state.admission, closeCode: state.closeCode };
}

/**
 * @param {string} url
 * @param {ListenState} state
 * @param {number} deadline epoch ms
 * @param {import('k6/http').CookieJar} [jar] (the VU's jar when not given)
 * @returns {import('k6/ws').Response}
 */
function connect(url, state, deadline, jar) {
  const params = jar === undefined ? { tags: { name: '/ws' } } : { jar, tags: { name: '/ws' } };
  return ws.connect(url, params, (socket) => {
    socket.on('open', () => {
      socket.setInterval(() => socket.send(HEARTBEAT_FRAME), HEARTBEAT_SECONDS * 1000);
      socket.setTimeout(() => {
        state.admission = { outcome: 'timeout' };
        socket.close(1000);
      }, Math.max(1, deadline - Date.now()));
    });

    socket.on('message', (text) => {
      const message = asHubMessage(text);
      state.frames++;
      if (state.firstType === null) {
        state.firstType = message?.type ?? 'invalid';
      }

      wsMessages.add(1, { type: message?.type ?? 'invalid' });
      if (message === null) {
        return;
      }

      switch (message.type) {
        case 'position':
          break;
        case 'admitted':
          state.admission = { outcome: 'admitted', enterUrl: message.enterUrl, admittedAt: Date.now(), via: 'ws' };
          socket.close(1000);
          break;
        case 'gone':
          // The server closes normally after `gone`; closing here too is harmless.
          state.admission = { outcome: 'gone', reason: message.reason };
          socket.close(1000);
          break;
      }
    });

    socket.on('close', (code) => {
      state.closeCode = code;
    });

    socket.on('error', (error) => {
      const text = error.error();
      if (text !== 'websocket: close sent') {
        console.warn(`VU ${__VU}: WebSocket error: ${text}`);
      }
    });
  });
}
