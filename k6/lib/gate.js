// Requests at the gated routes and what the gate answered: passed (2xx), diverted (503 with the queue's JSON) or
// anything else. Every script counts its gated requests through here, so the metrics mean the same everywhere.

import http from 'k6/http';
import { check } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import { absolute } from './env.js';
import { asQueued, header, jsonBody } from './contract.js';

/** @typedef {import('./contract.js').QueuedBody} QueuedBody */

/**
 * @typedef {{ kind: 'passed', res: import('k6/http').Response }
 *   | { kind: 'queued', res: import('k6/http').Response, queued: QueuedBody }
 *   | { kind: 'other', res: import('k6/http').Response }} GateResult
 */

/** Gated requests the gate let through (2xx from the backend). */
export const passed = new Counter('wr_passed');
/** Gated requests answered 503 with the queue's JSON (`position` and all). */
export const diverted = new Counter('wr_diverted');
/** Anything else (tagged `status`): a 503 without the JSON (FailurePolicy Closed), 429, 4xx/5xx, timeouts (status 0). */
export const other = new Counter('wr_other');
/** Share of gated requests that were diverted. */
export const divertedRate = new Rate('wr_diverted_rate');
/** Time to first byte of gated requests (k6's `waiting`: the gate's decision plus, when passed, the backend). */
export const ttfb = new Trend('wr_ttfb', true);

/** What API clients send: JSON, so a diverted request gets the 503 and not the waiting page. */
export const JSON_HEADERS = Object.freeze({ Accept: 'application/json' });

/** Also JSON in. */
export const JSON_BODY_HEADERS = Object.freeze({ Accept: 'application/json', 'Content-Type': 'application/json' });

/**
 * One request at a gated route, counted and checked.
 * @param {'GET' | 'POST' | 'DELETE'} method
 * @param {string} path e.g. `/api/concerts`
 * @param {{ name?: string, body?: string, jar?: import('k6/http').CookieJar, tags?: Record<string, string> }} [options]
 *   `name` groups URLs with ids (`POST /api/holds/{id}/confirm`); without `jar` the VU's own jar is used.
 * @returns {GateResult}
 */
export function gatedRequest(method, path, options = {}) {
  /** @type {import('k6/http').Params} */
  const params = {
    headers: options.body === undefined ? JSON_HEADERS : JSON_BODY_HEADERS,
    tags: { ...options.tags, name: options.name ?? `${method} ${path}`, gated: 'true' },
  };
  if (options.jar !== undefined) {
    params.jar = options.jar;
  }

  const res = http.request(method, absolute(path), options.body ?? null, params);
  return classify(res, options.tags);
}

/**
 * Counts the gate's answer and checks a diversion against the contract.
 * @param {import('k6/http').Response} res
 * @param {Record<string, string>} [tags]
 * @returns {GateResult}
 */
export function classify(res, tags = {}) {
  ttfb.add(res.timings.waiting, tags);
  if (res.status >= 200 && res.status < 300) {
    passed.add(1, tags);
    divertedRate.add(false, tags);
    return { kind: 'passed', res };
  }

  if (res.status === 503) {
    const queued = asQueued(jsonBody(res));
    check(res, {
      '503 carries Retry-After (whole seconds)': (r) => /^\d+$/.test(header(r, 'Retry-After') ?? ''),
      '503 carries JSON ticket, position, waitUrl, wsUrl': () => queued !== null,
    }, tags);
    if (queued !== null) {
      diverted.add(1, tags);
      divertedRate.add(true, tags);
      return { kind: 'queued', res, queued };
    }
  }

  other.add(1, { ...tags, status: String(res.status) });
  divertedRate.add(false, tags);
  return { kind: 'other', res };
}
