// The challenge page: a dedicated worker (solve.js) solves the page's proof-of-work challenge with WebCrypto while the
// page shows its progress; once solved, the proof goes in the wr_proof cookie and the page goes back where the visitor
// was going, where the gate verifies the proof and joins the line. A challenge that expires first is replaced by
// reloading the page (the hub issues a new one on every view).
// Plain ES2022, no dependencies, no build step. It holds no words and no rule of its own: the challenge, the return URL,
// the worker's URL, the cookie's name and lifetime and the texts are the data- attributes of #wr-challenge (ChallengePage renders them).
(() => {
  'use strict';

  const EXPIRY_MARGIN_MS = 3000; // a proof needs this long still to reach the gate in time
  const MAX_PERCENT_UNSOLVED = 99; // the bar reaches 100 only when solved
  const prefixPattern = /^[A-Za-z0-9_.-]{1,120}$/; // ChallengeService's prefix alphabet
  const cookieNamePattern = /^[a-z_]{1,32}$/;
  // Only same-site paths are followed: the server's rule (LocalUrls.Pattern), as wait.js has it.
  const localUrl = /^\/(?!\/)[!-\[\]-~]{0,2047}(?![\s\S])/;

  const byId = (id) => document.getElementById(id);
  const section = byId('wr-challenge');
  if (!section) {
    // The page without a challenge (no cookies): nothing to solve; the browser checks still see where it stands.
    window.__waitingRoom = { state: () => ({ state: document.body.dataset.state }) };
    return;
  }

  const data = section.dataset;
  const prefix = data.prefix ?? '';
  const difficulty = Number(data.difficulty);
  const expiresInMs = Number(data.expiresInMs);
  const maxAge = Number(data.cookieMaxAge);
  const cookie = data.cookie ?? '';
  const workerUrl = localUrl.test(data.worker ?? '') ? data.worker : null;
  const returnUrl = localUrl.test(data.return ?? '') ? data.return : '/';
  if (!prefixPattern.test(prefix) || !Number.isInteger(difficulty) || difficulty < 1 || !Number.isFinite(expiresInMs)
    || !cookieNamePattern.test(cookie) || !Number.isInteger(maxAge) || maxAge < 1 || !workerUrl) {
    return;
  }

  const view = {
    box: byId('wr-challenge-box'),
    progress: byId('wr-challenge-progress'),
    value: byId('wr-challenge-value'),
    status: byId('wr-challenge-status'),
    retry: byId('wr-challenge-retry'),
  };
  const fill = (template, values) =>
    String(template).replace(/\{(\w+)\}/g, (placeholder, key) => (Object.hasOwn(values, key) ? String(values[key]) : placeholder));

  // Hashes expected before a solution: 2^difficulty. The bar shows the chance that a solution would have been found
  // by now, 1 - e^(-tried / expected): it rises steadily, slows as it nears the end, and is full only when solved.
  const expected = 2 ** difficulty;
  const model = { state: 'challenge', phase: 'working', tried: 0, percent: 0, difficulty, proof: null, ms: null };
  const started = performance.now();
  const deadline = started + expiresInMs - EXPIRY_MARGIN_MS;

  const show = (percent) => {
    model.percent = percent;
    view.progress.value = percent;
    view.value.textContent = fill(data.textValue, { percent });
  };
  // The live region speaks only at a change of phase (working, done, expired, failed), never at each update of the bar.
  const announce = (message) => {
    view.status.textContent = message;
  };

  let worker;
  let expiry;
  const stop = () => {
    clearTimeout(expiry);
    worker?.terminate();
  };

  const failed = () => {
    stop();
    model.phase = 'failed';
    announce(data.textFailed);
    view.retry.hidden = false;
  };

  const solved = (nonce, tried) => {
    stop();
    const proof = `${prefix}:${nonce}`;
    Object.assign(model, { phase: 'solved', tried, proof, ms: Math.round(performance.now() - started) });
    show(100);
    announce(data.textDone);
    const secure = location.protocol === 'https:' ? '; Secure' : '';
    document.cookie = `${cookie}=${proof}; Path=/; Max-Age=${maxAge}; SameSite=Strict${secure}`;
    location.replace(returnUrl);
  };

  const expired = () => {
    stop();
    model.phase = 'expired';
    announce(data.textExpired);
    location.reload();
  };

  if (typeof Worker !== 'function' || !window.crypto?.subtle) {
    failed();
  } else {
    view.box.hidden = false;
    show(0);
    announce(data.textWorking);
    expiry = setTimeout(expired, Math.max(0, deadline - performance.now()));
    try {
      worker = new Worker(workerUrl);
      worker.onmessage = ({ data: message }) => {
        if (message?.type === 'progress' && Number.isFinite(message.tried)) {
          model.tried = message.tried;
          show(Math.min(MAX_PERCENT_UNSOLVED, Math.floor(100 * (1 - Math.exp(-message.tried / expected)))));
        } else if (message?.type === 'solved' && typeof message.nonce === 'string') {
          solved(message.nonce, message.tried);
        } else if (message?.type === 'error') {
          failed();
        }
      };
      worker.onerror = failed;
      worker.postMessage({ prefix, difficulty });
    } catch {
      failed();
    }
  }

  // A page restored from the back/forward cache holds a spent or expired challenge.
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) {
      location.reload();
    }
  });

  // For the browser checks: where the page stands.
  window.__waitingRoom = { state: () => ({ ...model }) };
})();
