// Options every script shares.

import http from 'k6/http';
import { BASE_URL } from './env.js';

/**
 * k6's default system tags without `url`: the waiting room's URLs carry a signed ticket or a one-time code per
 * visitor (`/ws?…&t=…`, `/_wr/enter/…?code=…`), which would make one time series per visitor in any output
 * (InfluxDB, Prometheus remote write). Requests are grouped by their `name` tag instead.
 * @type {string[]}
 */
export const SYSTEM_TAGS = [
  'proto', 'subproto', 'status', 'method', 'name', 'group', 'check', 'error', 'error_code', 'tls_version', 'scenario',
  'service', 'expected_response',
];

/** The summary's columns for trends. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'];

/** In setup(): a warning, not a stop, when the edge's /healthz does not answer 200 (is the stack up?). */
export function warnIfEdgeDown() {
  const health = http.get(`${BASE_URL}/healthz`, { tags: { name: 'GET /healthz' } });
  if (health.status !== 200) {
    console.warn(`${BASE_URL}/healthz answered ${health.status}; is the stack up (./stack up)?`);
  }
}
