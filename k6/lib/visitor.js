// A returning visitor: one per VU, with its own cookie jar that outlives iterations (k6 empties the VU's default jar
// at every iteration). Its first call joins; while it waits it polls its ticket at most every POLL_SECONDS (a
// heartbeat) and enters as soon as the ticket is active; after that its calls pass on the admission cookie.

import http from 'k6/http';
import { POLL_SECONDS } from './env.js';
import { gatedRequest } from './gate.js';
import { enter, pollTicket } from './queue.js';

/** @typedef {import('./gate.js').GateResult} GateResult */

export class Visitor {
  constructor() {
    /** @type {import('k6/http').CookieJar} */
    this.jar = new http.CookieJar();
    /** The signed ticket while waiting, else null. @type {string | null} */
    this.ticket = null;
    /** Epoch ms of the last ticket poll. */
    this.lastPoll = 0;
  }

  /**
   * One gated call with this visitor's cookies; when it is diverted, looks after the place in the queue.
   * @param {'GET' | 'POST' | 'DELETE'} method
   * @param {string} path
   * @param {{ name?: string, body?: string, tags?: Record<string, string> }} [options]
   * @returns {GateResult}
   */
  call(method, path, options = {}) {
    const result = gatedRequest(method, path, { ...options, jar: this.jar });
    if (result.kind === 'passed') {
      this.ticket = null;
    } else if (result.kind === 'queued') {
      this.ticket = result.queued.ticket;
      this.keepPlace();
    }

    return result;
  }

  /** Polls the ticket (at most every POLL_SECONDS) and enters once it is active; forgets it once gone. */
  keepPlace() {
    if (this.ticket === null || Date.now() - this.lastPoll < POLL_SECONDS * 1000) {
      return;
    }

    this.lastPoll = Date.now();
    const status = pollTicket(this.ticket, this.jar);
    if (status?.state === 'active' && status.enterUrl !== null) {
      enter(status.enterUrl, this.jar);
      this.ticket = null;
    } else if (status?.state === 'gone') {
      this.ticket = null;
    }
  }
}

/** @type {Visitor | null} */
let current = null;

/** This VU's returning visitor (created on first use, kept for the whole run). */
export function visitor() {
  if (current === null) {
    current = new Visitor();
  }

  return current;
}
