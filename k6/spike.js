// Spike: ramps the request rate at the gated routes past SpikeThreshold (1,500 req/s) so the switch turns the queue
// ON, holds the peak, then drops below OffThreshold (800) long enough (Debounce, 3 min) for it to turn OFF again.
//
//   k6 run -e BASE_URL=http://localhost:8080 -e ADMIN_KEY=… k6/spike.js
//
// Two arrival-rate scenarios share the target rate: new visitors (no cookies: each request is a stranger, as in a
// ticket-sale rush) and returning visitors (one per VU, reusing their cookies; once admitted they pass without a
// Redis call). With ADMIN_KEY a third scenario polls the room every POLL_ADMIN_SECONDS and records queueOn.
//
// Parameters (-e NAME=value): BASE_URL, ROOM, ADMIN_KEY, PEAK_RATE (1800), DURATION_SCALE (1; 0.2 for a quick
// rehearsal), RETURNING_SHARE (0.3), SPIKE_THRESHOLD (1500, only decides whether the ON threshold is declared),
// P95_MS (500), MAX_VUS (3000), POLL_ADMIN_SECONDS (5), GATED_PATH (/api/concerts).

import http from 'k6/http';
import { sleep } from 'k6';
import { SUMMARY_TREND_STATS, SYSTEM_TAGS, warnIfEdgeDown } from './lib/options.js';
import { ADMIN_KEY, BASE_URL, GATED_PATH, ROOM, envInt, envNumber, envShare, seconds } from './lib/env.js';
import { gatedRequest } from './lib/gate.js';
import { requireAdmin, watchRoom } from './lib/admin.js';
import { visitor } from './lib/visitor.js';

/** @typedef {import('k6/options').Options} Options */
/** @typedef {import('k6/options').Stage} Stage */
/** @typedef {import('k6/options').Scenario} Scenario */

const PEAK_RATE = envInt('PEAK_RATE', 1800, 1);
const DURATION_SCALE = envNumber('DURATION_SCALE', 1, 0.01);
const RETURNING_SHARE = envShare('RETURNING_SHARE', 0.3);
const SPIKE_THRESHOLD = envInt('SPIKE_THRESHOLD', 1500, 1);
const P95_MS = envNumber('P95_MS', 500, 1);
const MAX_VUS = envInt('MAX_VUS', 3000, 1);
const POLL_ADMIN_SECONDS = envNumber('POLL_ADMIN_SECONDS', 5, 1);

// The profile in total requests per second, with durations in seconds before DURATION_SCALE: warm up, climb to
// 1,000 (above OnThreshold, below the spike), jump past 1,500 to PEAK_RATE and hold it, fall back, then stay low for
// four minutes: the 10-second average must stay ≤ OffThreshold for Debounce (3 min) and nobody may be waiting.
/** @type {Array<[number, number]>} [seconds, target rate] */
const PROFILE = [
  [30, 200],
  [30, 200],
  [30, 1000],
  [30, 1000],
  [20, PEAK_RATE],
  [60, PEAK_RATE],
  [20, 1000],
  [20, 200],
  [240, 200],
];

/**
 * The profile scaled to one scenario's share of the traffic.
 * @param {number} share
 * @returns {Stage[]}
 */
function stages(share) {
  return PROFILE.map(([duration, target]) => ({
    duration: seconds(duration * DURATION_SCALE),
    target: Math.round(Math.min(target, PEAK_RATE) * share),
  }));
}

const TOTAL_SECONDS = PROFILE.reduce((sum, [duration]) => sum + Math.max(1, Math.round(duration * DURATION_SCALE)), 0);

/** @type {Record<string, Scenario>} */
const scenarios = {};

if (RETURNING_SHARE < 1) {
  scenarios.new_visitors = {
    executor: 'ramping-arrival-rate',
    exec: 'newVisitor',
    startRate: 0,
    timeUnit: '1s',
    stages: stages(1 - RETURNING_SHARE),
    preAllocatedVUs: Math.min(MAX_VUS, 200),
    maxVUs: MAX_VUS,
    gracefulStop: '10s',
  };
}

if (RETURNING_SHARE > 0) {
  scenarios.returning_visitors = {
    executor: 'ramping-arrival-rate',
    exec: 'returningVisitor',
    startRate: 0,
    timeUnit: '1s',
    stages: stages(RETURNING_SHARE),
    preAllocatedVUs: Math.min(MAX_VUS, 100),
    maxVUs: MAX_VUS,
    gracefulStop: '10s',
  };
}

if (ADMIN_KEY !== undefined) {
  scenarios.admin_watch = {
    executor: 'constant-vus',
    exec: 'watch',
    vus: 1,
    duration: seconds(TOTAL_SECONDS),
    gracefulStop: '5s',
  };
}

/** @type {Record<string, import('k6/options').Threshold[]>} */
const thresholds = {
  // 503 is the waiting room's answer, not a failure (see setResponseCallback below): failures are errors,
  // timeouts, 5xx other than 503, 4xx.
  http_req_failed: ['rate<0.01'],
  // The gate answers fast whether it passes (no Redis call with a cookie) or diverts (one Redis call).
  'http_req_duration{gated:true}': [`p(95)<${P95_MS}`],
  wr_ttfb: [`p(99)<${P95_MS * 3}`],
  // Every 503 carries Retry-After and the JSON body.
  checks: ['rate>0.99'],
  // Something got through.
  wr_passed: ['count>0'],
};

if (PEAK_RATE >= SPIKE_THRESHOLD) {
  // Past the spike threshold the gate must have diverted someone...
  thresholds.wr_diverted = ['count>0'];
  if (ADMIN_KEY !== undefined) {
    // ...and the admin API must have shown the queue ON at least once.
    thresholds.wr_queue_on_polls = ['count>0'];
  }
}

/** @type {Options} */
export const options = {
  scenarios,
  thresholds,
  // Arrival-rate executors need free VUs; k6 warns (dropped_iterations) when MAX_VUS is too low for the latency.
  summaryTrendStats: SUMMARY_TREND_STATS,
  systemTags: SYSTEM_TAGS,
  // Responses are small JSON; the 503 bodies are needed for the checks.
  discardResponseBodies: false,
  userAgent: 'k6-waiting-room-spike',
};

// The queue's 503 is an expected answer: keep it out of http_req_failed.
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 399 }, 503));

export function setup() {
  const room = requireAdmin();
  warnIfEdgeDown();

  console.log(`spike: ${BASE_URL}, room ${ROOM}, peak ${PEAK_RATE} req/s over ~${TOTAL_SECONDS}s, `
    + `${Math.round(RETURNING_SHARE * 100)}% returning visitors`
    + (room !== null ? `; queue ${room.queueOn ? 'ON' : 'OFF'} (mode ${room.mode}) at the start` : '; no ADMIN_KEY: not watching the room'));
}

/** A stranger: no cookies, one gated request. */
export function newVisitor() {
  gatedRequest('GET', GATED_PATH, { jar: new http.CookieJar(), tags: { visitor: 'new' } });
}

/** This VU's visitor, with its cookies: waits (polling its ticket) when diverted, then passes on its cookie. */
export function returningVisitor() {
  visitor().call('GET', GATED_PATH, { tags: { visitor: 'returning' } });
}

/** The admin watcher: one poll every POLL_ADMIN_SECONDS. */
export function watch() {
  watchRoom();
  sleep(POLL_ADMIN_SECONDS);
}

export function teardown() {
  if (ADMIN_KEY !== undefined) {
    const room = watchRoom();
    if (room !== null) {
      console.log(`spike: at the end the queue is ${room.queueOn ? 'ON' : 'OFF'} (${room.reason}), `
        + `waiting ${room.waiting}, active ${room.active}`);
    }
  }
}
