// The full visitor journey, shared by journey.js and soak.js:
// gated request (JSON) → 503 with ticket and wsUrl → WebSocket (heartbeats) until `admitted` → GET enterUrl (302 +
// admission cookie) → the page first asked for → seats → POST /api/holds (201, or 409: try another seat) →
// POST /api/holds/{id}/confirm (201; the backend ends the session through the proxy).
// Each iteration is a new visitor: k6 empties the VU's cookie jar between iterations.

import { check, sleep } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import { envInt, envNumber, envOptional, envShare } from './env.js';
import { asConcerts, asHold, asReservation, asSeats, header, jsonBody } from './contract.js';
import { gatedRequest } from './gate.js';
import { enter, joinQueue, waitForAdmission } from './queue.js';

/** @typedef {import('./contract.js').Seat} Seat */

/** Join (first 503) → admission notice. */
export const timeInQueue = new Trend('journey_time_in_queue', true);
/** First request → reservation confirmed (queue, think time and all). */
export const timeToPurchase = new Trend('journey_time_to_purchase', true);
/** Seats bought. */
export const purchased = new Counter('journey_purchased');
/** Journeys that ended early, tagged `reason` (sold-out, queue-timeout, enter-failed, hold-conflicts, …). */
export const gaveUp = new Counter('journey_gave_up');
/** Places lost while waiting (`gone` on the socket or the ticket), tagged `reason`. */
export const gone = new Counter('journey_gone');
/** Visitors admitted on the spot (queue off, capacity free): no wait. */
export const directAdmits = new Counter('journey_direct_admits');
/** Visitors who had to wait. */
export const queued = new Counter('journey_queued');
/** Holds refused with 409 (someone else got the seat first). */
export const holdConflicts = new Counter('journey_hold_conflicts');
/** Holds released on purpose (PURCHASE_SHARE < 1). */
export const released = new Counter('journey_released');
/** Share of journeys that reached their end (a purchase, or the release they chose). */
export const completed = new Rate('journey_completed');

/** Longest wait in the queue before giving up. */
const MAX_QUEUE_WAIT_SECONDS = envNumber('MAX_QUEUE_WAIT_SECONDS', 600, 1);
/** Seats tried before giving up when each is taken (409). */
const HOLD_ATTEMPTS = envInt('HOLD_ATTEMPTS', 5, 1);
/** Mean think time between steps, seconds (each pause is 0.5–1.5 × this). */
const THINK_SECONDS = envNumber('THINK_SECONDS', 2, 0);
/** Share of journeys that confirm; the others release their hold (keeps the 2,000 demo seats for longer runs). */
const PURCHASE_SHARE = envShare('PURCHASE_SHARE', 1);
/** A fixed concert id; by default the first one `GET /api/concerts` lists. */
const CONCERT_ID = envOptional('CONCERT_ID');

function think() {
  if (THINK_SECONDS > 0) {
    sleep(THINK_SECONDS * (0.5 + Math.random()));
  }
}

/**
 * @param {string} reason
 */
function giveUp(reason) {
  gaveUp.add(1, { reason });
  completed.add(false);
}

/**
 * Up to `count` distinct available seats, at random.
 * @param {Seat[]} seats
 * @param {number} count
 * @returns {Seat[]}
 */
function pickSeats(seats, count) {
  const available = seats.filter((s) => s.status === 'available');
  /** @type {Seat[]} */
  const picked = [];
  while (picked.length < count && available.length > 0) {
    const index = Math.floor(Math.random() * available.length);
    const [seat] = available.splice(index, 1);
    if (seat !== undefined) {
      picked.push(seat);
    }
  }

  return picked;
}

/** One visitor, from the first request to a confirmed reservation (or the reason it stopped). */
export function runJourney() {
  const started = Date.now();

  // 1. The first request. Queue off and capacity free → admitted on the spot; otherwise 503 with the ticket.
  const join = joinQueue('/api/concerts');
  let landing = join;
  if (join.kind === 'queued') {
    queued.add(1);
    const joinedAt = Date.now();

    // 2. Wait on the socket (heartbeats every HEARTBEAT_SECONDS) until admitted.
    const admission = waitForAdmission(join.queued, { maxWaitSeconds: MAX_QUEUE_WAIT_SECONDS });
    switch (admission.outcome) {
      case 'gone':
        gone.add(1, { reason: admission.reason });
        completed.add(false);
        return;
      case 'timeout':
        giveUp('queue-timeout');
        return;
      case 'refused':
        console.warn(`VU ${__VU}: ${admission.detail}`);
        giveUp('ticket-refused');
        return;
      case 'admitted':
        timeInQueue.add(admission.admittedAt - joinedAt, { via: admission.via });
        break;
    }

    // 3. The one-time link: 302 to the page first asked for, with the admission cookie.
    const entered = enter(admission.enterUrl);
    if (!entered.ok) {
      giveUp('enter-failed');
      return;
    }

    const returnTo = entered.location !== undefined && entered.location.startsWith('/api/') ? entered.location : '/api/concerts';
    landing = gatedRequest('GET', returnTo, { name: 'GET /api/concerts', tags: { step: 'landing' } });
    check(landing, { 'admitted: the return URL passes the gate': (r) => r.kind === 'passed' });
  } else if (join.kind === 'passed') {
    directAdmits.add(1);
  }

  if (landing.kind !== 'passed') {
    giveUp(landing.kind === 'queued' ? 'diverted-after-entry' : `concerts-${landing.res.status}`);
    return;
  }

  const concerts = asConcerts(jsonBody(landing.res));
  const concertId = CONCERT_ID ?? (concerts !== null && concerts[0] !== undefined ? String(concerts[0].id) : undefined);
  if (concertId === undefined) {
    giveUp('no-concerts');
    return;
  }

  think();

  // 4. The seat map.
  const seatsResult = gatedRequest('GET', `/api/concerts/${concertId}/seats`, {
    name: 'GET /api/concerts/{id}/seats',
    tags: { step: 'seats' },
  });
  const seats = seatsResult.kind === 'passed' ? asSeats(jsonBody(seatsResult.res)) : null;
  if (!check(seats, { 'seats: 200 with the seat list': (s) => s !== null }) || seats === null) {
    giveUp(seatsResult.kind === 'queued' ? 'diverted-mid-journey' : `seats-${seatsResult.res.status}`);
    return;
  }

  const candidates = pickSeats(seats, HOLD_ATTEMPTS);
  if (candidates.length === 0) {
    giveUp('sold-out');
    return;
  }

  think();

  // 5. Hold a seat: 201, or 409 when someone was faster (then the next candidate).
  /** @type {import('./contract.js').Hold | null} */
  let hold = null;
  for (const seat of candidates) {
    const res = gatedRequest('POST', '/api/holds', {
      name: 'POST /api/holds',
      body: JSON.stringify({ seatId: seat.id }),
      tags: { step: 'hold' },
    }).res;
    if (res.status === 201) {
      hold = asHold(jsonBody(res));
      check(hold, { 'hold: 201 with id, seatId, expiresAt': (h) => h !== null && h.seatId === seat.id });
      break;
    }

    if (res.status === 409) {
      holdConflicts.add(1);
      continue;
    }

    giveUp(res.status === 503 ? 'diverted-mid-journey' : res.status === 429 ? 'hold-limit' : `hold-${res.status}`);
    return;
  }

  if (hold === null) {
    giveUp('hold-conflicts');
    return;
  }

  think();

  // 6. Buy it (or, for a share of visitors, change their mind and release it).
  if (Math.random() >= PURCHASE_SHARE) {
    const res = gatedRequest('DELETE', `/api/holds/${hold.id}`, { name: 'DELETE /api/holds/{id}', tags: { step: 'release' } }).res;
    const ok = check(res, { 'release: 204': (r) => r.status === 204 });
    if (ok) {
      released.add(1);
    }

    completed.add(ok);
    return;
  }

  const confirmed = gatedRequest('POST', `/api/holds/${hold.id}/confirm`, {
    name: 'POST /api/holds/{id}/confirm',
    tags: { step: 'confirm' },
  }).res;
  const reservation = confirmed.status === 201 ? asReservation(jsonBody(confirmed)) : null;
  const ok = check(confirmed, {
    'confirm: 201 with the reservation': () => reservation !== null && reservation.holdId === hold.id,
    'confirm: end-session command stripped by the proxy': (r) => header(r, 'X-WaitingRoom-Command') === undefined,
  });
  if (reservation === null) {
    giveUp(confirmed.status === 409 ? 'hold-expired' : `confirm-${confirmed.status}`);
    return;
  }

  purchased.add(1);
  timeToPurchase.add(Date.now() - started);
  completed.add(ok);
}
