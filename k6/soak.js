// Soak: a long steady mix well below OffThreshold (800 req/s): admitted visitors calling the reservation API at a
// constant rate, plus a trickle of full journeys (queue → enter → hold → confirm). It looks for what only time
// shows: latency creeping up, connection or memory leaks, sessions or holds not being cleaned up, the switch
// flapping. The queue should stay OFF throughout, so admitted visitors are (almost) never diverted.
//
//   k6 run -e BASE_URL=http://localhost:8080 -e ADMIN_KEY=… k6/soak.js
//   k6 run -e DURATION=2h -e RATE=500 -e JOURNEYS_PER_MINUTE=20 k6/soak.js
//
// Parameters (-e NAME=value): BASE_URL, ROOM, ADMIN_KEY, DURATION (30m), RATE (300 gated calls/s), MAX_VUS (600),
// JOURNEYS_PER_MINUTE (6), P99_MS (1000), POLL_ADMIN_SECONDS (30), and the journey's (THINK_SECONDS,
// PURCHASE_SHARE, …; see journey.js).

import http from 'k6/http';
import { sleep } from 'k6';
import { SUMMARY_TREND_STATS, SYSTEM_TAGS, warnIfEdgeDown } from './lib/options.js';
import { ADMIN_KEY, BASE_URL, ROOM, envDuration, envInt, envNumber } from './lib/env.js';
import { requireAdmin, watchRoom } from './lib/admin.js';
import { asConcerts, jsonBody } from './lib/contract.js';
import { runJourney } from './lib/journey.js';
import { visitor } from './lib/visitor.js';

/** @typedef {import('k6/options').Options} Options */
/** @typedef {import('k6/options').Scenario} Scenario */

const DURATION = envDuration('DURATION', '30m');
const RATE = envInt('RATE', 300, 1);
const MAX_VUS = envInt('MAX_VUS', 600, 1);
const JOURNEYS_PER_MINUTE = envInt('JOURNEYS_PER_MINUTE', 6, 0);
const P99_MS = envNumber('P99_MS', 1000, 1);
const POLL_ADMIN_SECONDS = envNumber('POLL_ADMIN_SECONDS', 30, 1);

/** @type {Record<string, Scenario>} */
const scenarios = {
  admitted_calls: {
    executor: 'constant-arrival-rate',
    exec: 'admittedCall',
    rate: RATE,
    timeUnit: '1s',
    duration: DURATION,
    preAllocatedVUs: Math.min(MAX_VUS, Math.max(10, Math.ceil(RATE / 5))),
    maxVUs: MAX_VUS,
    gracefulStop: '10s',
  },
};

if (JOURNEYS_PER_MINUTE > 0) {
  scenarios.journeys = {
    executor: 'constant-arrival-rate',
    exec: 'journey',
    rate: JOURNEYS_PER_MINUTE,
    timeUnit: '1m',
    duration: DURATION,
    preAllocatedVUs: Math.max(2, Math.ceil(JOURNEYS_PER_MINUTE / 2)),
    maxVUs: Math.max(10, JOURNEYS_PER_MINUTE * 5),
    gracefulStop: '2m',
  };
}

if (ADMIN_KEY !== undefined) {
  scenarios.admin_watch = {
    executor: 'constant-vus',
    exec: 'watch',
    vus: 1,
    duration: DURATION,
    gracefulStop: '5s',
  };
}

/** @type {Record<string, import('k6/options').Threshold[]>} */
const thresholds = {
  // Errors (not counting the queue's 503 and a taken seat's 409) stay rare over the whole run.
  http_req_failed: ['rate<0.005'],
  'http_req_duration{scenario:admitted_calls}': [`p(99)<${P99_MS}`, `p(95)<${P99_MS / 2}`],
  checks: ['rate>0.99'],
  // Admitted visitors keep passing: the queue stays off at this rate and their sessions slide.
  'wr_diverted_rate{scenario:admitted_calls}': ['rate<0.01'],
};

if (JOURNEYS_PER_MINUTE > 0) {
  thresholds.journey_completed = ['rate>0.95'];
  thresholds['http_req_duration{scenario:journeys}'] = [`p(99)<${P99_MS * 2}`];
}

if (ADMIN_KEY !== undefined) {
  // The switch must not flap at a steady rate below OffThreshold.
  thresholds['wr_switch_transitions{to:on}'] = ['count==0'];
}

/** @type {Options} */
export const options = {
  scenarios,
  thresholds,
  summaryTrendStats: SUMMARY_TREND_STATS,
  systemTags: SYSTEM_TAGS,
  userAgent: 'k6-waiting-room-soak',
};

http.setResponseCallback(http.expectedStatuses({ min: 200, max: 399 }, 409, 503));

export function setup() {
  const room = requireAdmin();
  warnIfEdgeDown();

  console.log(`soak: ${BASE_URL}, room ${ROOM}, ${RATE} calls/s and ${JOURNEYS_PER_MINUTE} journeys/min for ${DURATION}`
    + (room !== null ? `; queue ${room.queueOn ? 'ON' : 'OFF'} (mode ${room.mode}) at the start` : ''));
}

/** The concert this VU's visitor saw first (from its own `GET /api/concerts`). @type {number | null} */
let concertId = null;

/** This VU's admitted visitor: mostly the concert list, sometimes its holds, now and then the seat map. */
export function admittedCall() {
  const roll = Math.random();
  const tags = { visitor: 'admitted' };
  if (roll < 0.03 && concertId !== null) {
    visitor().call('GET', `/api/concerts/${concertId}/seats`, { name: 'GET /api/concerts/{id}/seats', tags });
  } else if (roll < 0.2) {
    visitor().call('GET', '/api/holds', { tags });
  } else {
    const result = visitor().call('GET', '/api/concerts', { tags });
    if (concertId === null && result.kind === 'passed') {
      concertId = asConcerts(jsonBody(result.res))?.[0]?.id ?? null;
    }
  }
}

export function journey() {
  runJourney();
}

/** The admin watcher: one poll every POLL_ADMIN_SECONDS. */
export function watch() {
  watchRoom();
  sleep(POLL_ADMIN_SECONDS);
}
