// Journey: VUS visitors, each iteration a new one, going the whole way: gated request → 503 with ticket and wsUrl →
// WebSocket (heartbeats) until `admitted` → enter (302 + cookie) → seats → hold → confirm.
//
//   k6 run -e BASE_URL=http://localhost:8080 k6/journey.js
//   k6 run -e ADMIN_KEY=… -e QUEUE_MODE=On k6/journey.js     # force the queue on, so every visitor waits
//
// With the queue off and capacity free, visitors are admitted on the spot (journey_direct_admits) and skip the
// wait. QUEUE_MODE (Auto | On | Off | Paused, needs ADMIN_KEY) sets the room's mode for the run and puts the previous
// mode back in teardown.
//
// Parameters (-e NAME=value): BASE_URL, ROOM, ADMIN_KEY, QUEUE_MODE, VUS (10), DURATION (3m), THINK_SECONDS (2),
// MAX_QUEUE_WAIT_SECONDS (600), HOLD_ATTEMPTS (5), PURCHASE_SHARE (1), CONCERT_ID, HEARTBEAT_SECONDS (15),
// WS_ATTEMPTS (5), POLL_SECONDS (5), QUEUE_P90_MS (30000), PURCHASE_P95_MS (60000).

import http from 'k6/http';
import { sleep } from 'k6';
import { SUMMARY_TREND_STATS, SYSTEM_TAGS, warnIfEdgeDown } from './lib/options.js';
import { ADMIN_KEY, ROOM, envDuration, envInt, envNumber, envOptional } from './lib/env.js';
import { parseMode, requireAdmin, setMode } from './lib/admin.js';
import { runJourney } from './lib/journey.js';

/** @typedef {import('k6/options').Options} Options */
/** @typedef {{ restoreMode: import('./lib/admin.js').RoomMode | null }} SetupData */

const VUS = envInt('VUS', 10, 1);
const DURATION = envDuration('DURATION', '3m');
const QUEUE_MODE = envOptional('QUEUE_MODE');
const QUEUE_P90_MS = envNumber('QUEUE_P90_MS', 30000, 1);
const PURCHASE_P95_MS = envNumber('PURCHASE_P95_MS', 60000, 1);

if (QUEUE_MODE !== undefined && ADMIN_KEY === undefined) {
  throw new Error('QUEUE_MODE needs ADMIN_KEY (the mode is set through the admin API)');
}

/** @type {Options} */
export const options = {
  scenarios: {
    journeys: {
      executor: 'constant-vus',
      exec: 'journey',
      vus: VUS,
      duration: DURATION,
      // A visitor in the queue when time is up may finish (enter, hold, confirm) rather than be cut off.
      gracefulStop: '2m',
    },
  },
  thresholds: {
    // The 503 at the join and a 409 on a taken seat are answers, not failures.
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    // The 30-second goal the Grafana panel draws time in queue against (AdmitInterval is 10 s by default).
    journey_time_in_queue: [`p(90)<${QUEUE_P90_MS}`],
    journey_time_to_purchase: [`p(95)<${PURCHASE_P95_MS}`],
    journey_completed: ['rate>0.95'],
    journey_purchased: ['count>0'],
    journey_gone: ['count==0'],
    'http_req_duration{gated:true}': ['p(95)<1000'],
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
  systemTags: SYSTEM_TAGS,
  userAgent: 'k6-waiting-room-journey',
};

http.setResponseCallback(http.expectedStatuses({ min: 200, max: 399 }, 409, 503));

/** @returns {SetupData} */
export function setup() {
  const room = requireAdmin();
  warnIfEdgeDown();

  if (QUEUE_MODE === undefined || room === null) {
    return { restoreMode: null };
  }

  const mode = parseMode(QUEUE_MODE);
  setMode(mode);
  // Every proxy applies a mode change within a second (pub/sub, and a poll once a second).
  sleep(1.5);
  console.log(`journey: room ${ROOM} mode ${room.mode} → ${mode} for the run`);
  return { restoreMode: parseMode(room.mode) };
}

export function journey() {
  runJourney();
}

/** @param {SetupData} data */
export function teardown(data) {
  if (data.restoreMode !== null) {
    setMode(data.restoreMode);
    console.log(`journey: room ${ROOM} mode back to ${data.restoreMode}`);
  }
}
