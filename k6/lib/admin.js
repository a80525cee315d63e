// The operators' API (`X-WaitingRoom-Admin-Key`): read the room while the load runs, and optionally force a mode for
// the run. Used only when ADMIN_KEY is given; the admin API is rate limited (5/s, burst 30), so poll gently.

import http from 'k6/http';
import { check } from 'k6';
import { Counter, Gauge } from 'k6/metrics';
import { ADMIN_KEY, BASE_URL, ROOM } from './env.js';
import { asRoomView, jsonBody } from './contract.js';

/** @typedef {import('./contract.js').RoomView} RoomView */
/** @typedef {'Auto' | 'On' | 'Off' | 'Paused'} RoomMode */

/** 1 while the room's queue is on, 0 while off (last poll). */
export const queueOnGauge = new Gauge('wr_queue_on');
/** The rate the switch sees (requests per second at the room's routes, all proxies). */
export const rateGauge = new Gauge('wr_room_rate_per_second');
/** Visitors waiting. */
export const waitingGauge = new Gauge('wr_room_waiting');
/** Visitors admitted (at most MaxActive). */
export const activeGauge = new Gauge('wr_room_active');
/** Polls that found the queue on: a spike past SpikeThreshold should make this non-zero. */
export const queueOnPolls = new Counter('wr_queue_on_polls');
/** Switch transitions seen between two polls, tagged `to` (on/off). */
export const switchTransitions = new Counter('wr_switch_transitions');

const ROOM_URL = `${BASE_URL}/_wr/admin/rooms/${encodeURIComponent(ROOM)}`;

/**
 * @param {string} name
 * @returns {import('k6/http').Params}
 */
function adminParams(name) {
  return {
    headers: { 'X-WaitingRoom-Admin-Key': ADMIN_KEY ?? '', Accept: 'application/json', 'Content-Type': 'application/json' },
    tags: { name, admin: 'true' },
    // A refusal (401) is an answer worth seeing in the output, not a failed load request.
    responseCallback: http.expectedStatuses({ min: 200, max: 299 }, 401),
  };
}

/**
 * `GET /_wr/admin/rooms/<room>`; null when ADMIN_KEY is not set or the answer is not a room.
 * @returns {{ status: number, room: RoomView | null }}
 */
export function getRoom() {
  if (ADMIN_KEY === undefined) {
    return { status: 0, room: null };
  }

  const res = http.get(ROOM_URL, adminParams(`GET /_wr/admin/rooms/${ROOM}`));
  return { status: res.status, room: res.status === 200 ? asRoomView(jsonBody(res)) : null };
}

/**
 * `PUT /_wr/admin/rooms/<room>/mode`; every proxy applies it within a second.
 * @param {RoomMode} mode
 * @returns {RoomView | null}
 */
export function setMode(mode) {
  if (ADMIN_KEY === undefined) {
    return null;
  }

  const res = http.put(`${ROOM_URL}/mode`, JSON.stringify({ mode }), adminParams(`PUT /_wr/admin/rooms/${ROOM}/mode`));
  const room = res.status === 200 ? asRoomView(jsonBody(res)) : null;
  check(room, { [`admin: mode set to ${mode}`]: (r) => r !== null && r.mode.toLowerCase() === mode.toLowerCase() });
  return room;
}

/**
 * Parses a mode parameter (case-insensitive).
 * @param {string} value
 * @returns {RoomMode}
 */
export function parseMode(value) {
  /** @type {RoomMode[]} */
  const modes = ['Auto', 'On', 'Off', 'Paused'];
  const mode = modes.find((m) => m.toLowerCase() === value.toLowerCase());
  if (mode === undefined) {
    throw new Error(`QUEUE_MODE must be one of ${modes.join(', ')}, got '${value}'`);
  }

  return mode;
}

/**
 * In setup(): stops the run at once when the key is refused, rather than polling 401s for the whole test.
 * @returns {RoomView | null} the room at the start, or null without ADMIN_KEY
 */
export function requireAdmin() {
  if (ADMIN_KEY === undefined) {
    return null;
  }

  const { status, room } = getRoom();
  if (room === null) {
    throw new Error(`the admin API answered ${status} for ${ROOM_URL}; check ADMIN_KEY (./stack up prints it) and ROOM`);
  }

  return room;
}

/** The queue state the previous poll saw (per VU; the watcher is a single VU). @type {boolean | null} */
let lastQueueOn = null;

/**
 * One poll: updates the gauges and logs every switch transition with the rate the switch saw.
 * @returns {RoomView | null}
 */
export function watchRoom() {
  const { room } = getRoom();
  if (room === null) {
    return null;
  }

  queueOnGauge.add(room.queueOn ? 1 : 0);
  rateGauge.add(room.ratePerSecond);
  waitingGauge.add(room.waiting);
  activeGauge.add(room.active);
  if (room.queueOn) {
    queueOnPolls.add(1);
  }

  if (lastQueueOn !== null && lastQueueOn !== room.queueOn) {
    switchTransitions.add(1, { to: room.queueOn ? 'on' : 'off' });
    console.log(`${new Date().toISOString()} queue ${room.queueOn ? 'ON' : 'OFF'} (${room.reason}); `
      + `rate ${room.ratePerSecond.toFixed(0)}/s, waiting ${room.waiting}, active ${room.active}, mode ${room.mode}`);
  }

  lastQueueOn = room.queueOn;
  return room;
}
