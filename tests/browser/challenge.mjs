// The waiting page's proof-of-work challenge in a real browser, through the real stack: a visitor with a wr_vid (given
// by the gate at ROOM's gated path) opens the hub's challenge page; its dedicated worker (solve.js) solves the challenge
// with WebCrypto; the page sets the wr_proof cookie and goes back to the return URL (answered here by page.route, so
// this check needs nothing of the gate's). The proof must solve the page's challenge: its prefix, a base-36 nonce, and
// SHA-256 of `<prefix>:<nonce>` with at least the page's difficulty in leading zero bits (recomputed here; the system
// test verifies it with ChallengeService for the visitor of the wr_vid printed). Then the solver's speed in this machine's
// Chromium: the same worker asset, loaded from the hub at the page's origin, solves fresh prefixes of a real prefix's
// shape, SOLVES times at each difficulty; median and p95 are printed. Run by YarpWaitingRoom.SystemTests; prints one JSON
// line last.
// BASE_URL, CHROMIUM as in lib/browser.mjs, and:
//   ROOM        a room whose challenge is on, at a low difficulty (default challenge)
//   GATED_PATH  a page ROOM gates (default /challenge/api/concerts)
//   JOIN_ROOM, JOIN_PATH  a room whose challenge is on and whose queue is on, and a page it gates (default bots,
//               /bots/api/concerts): the journey through the gate, from the first navigation to the waiting page
//   SOLVES      difficulty:count pairs for the speed measurement (default 16:20,18:10,20:3; the figures are
//               16:20,18:20,20:20, about four minutes here)
import { createHash, randomBytes } from 'node:crypto';
import { fail, runCheck, stackFromEnvironment } from './lib/browser.mjs';

const { base, room, gatedPath } = stackFromEnvironment({ room: 'challenge', gatedPath: '/challenge/api/concerts' });
const solves = (process.env.SOLVES ?? '16:20,18:10,20:3').split(',').map((pair) => {
  const [difficulty, count] = pair.split(':').map(Number);
  if (!(difficulty >= 1 && difficulty <= 32 && count >= 1)) fail(`SOLVES: '${pair}' is not difficulty:count`);
  return { difficulty, count };
});
// The hubs' own policy (waiting-room/Hosting/SecurityHeaders.cs): the worker must load and run under it.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const landing = `${gatedPath.slice(0, gatedPath.indexOf('/api/'))}/proof-landed`;
const joinRoom = process.env.JOIN_ROOM ?? 'bots';
const joinPath = process.env.JOIN_PATH ?? '/bots/api/concerts';

const leadingZeroBits = (bytes) => {
  let bits = 0;
  for (const byte of bytes) {
    if (byte !== 0) return bits + Math.clz32(byte) - 24;
    bits += 8;
  }
  return bits;
};
const work = (proof) => leadingZeroBits(createHash('sha256').update(proof, 'ascii').digest());
const base64url = (bytes) => bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** Nearest-rank percentile of sorted numbers. */
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

const result = { steps: [] };
await runCheck(result, async (browser) => {
  const context = await browser.newContext({ locale: 'en-US' });
  const violations = [];
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`securitypolicyviolation: ${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });
  await context.route(`${base}${landing}*`, (route) => route.fulfill({
    status: 200,
    contentType: 'text/html; charset=utf-8',
    headers: { 'Content-Security-Policy': csp },
    body: '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Landed</title></head><body><h1>Landed</h1></body></html>',
  }));

  // The gate gives the browser its wr_vid, whatever it answers.
  await context.request.get(base + gatedPath, { headers: { accept: 'application/json' }, maxRedirects: 0 });
  const visitor = (await context.cookies(base)).find((c) => c.name === 'wr_vid');
  if (!visitor) fail(`no wr_vid cookie after a request to ${gatedPath}`);

  const page = await context.newPage();
  page.on('console', (message) => {
    if (/Refused to|securitypolicyviolation|Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  const workers = [];
  page.on('worker', (worker) => workers.push(new URL(worker.url()).pathname));

  const opened = Date.now();
  const response = await page.goto(`${base}/_wr/wait/${encodeURIComponent(room)}/challenge?return=${encodeURIComponent(landing)}`);
  if (response?.status() !== 200) fail(`challenge page: HTTP ${response?.status()} (is ${room}'s challenge on?)`);
  const html = await response.text();
  const attribute = (name) => html.match(new RegExp(`\\sdata-${name}="([^"]*)"`))?.[1];
  const prefix = attribute('prefix');
  const difficulty = Number(attribute('difficulty'));
  if (!prefix || !(difficulty >= 1)) fail(`no challenge on the page: ${html.slice(0, 400)}`);

  await page.waitForURL(`${base}${landing}`, { timeout: 60000 });
  const landedMs = Date.now() - opened;
  const proofCookie = (await context.cookies(base)).find((c) => c.name === 'wr_proof');
  if (!proofCookie) fail('no wr_proof cookie once the page went back');
  const proof = proofCookie.value;
  const colon = proof.lastIndexOf(':');
  if (proof.slice(0, colon) !== prefix) fail(`wr_proof '${proof}' is not for the page's challenge '${prefix}'`);
  if (!/^[0-9a-z]{1,16}$/.test(proof.slice(colon + 1))) fail(`wr_proof's nonce '${proof.slice(colon + 1)}' is not base 36`);
  const bits = work(proof);
  if (bits < difficulty) fail(`wr_proof '${proof}' has ${bits} leading zero bits, the challenge asks ${difficulty}`);
  if (proofCookie.path !== '/' || proofCookie.sameSite !== 'Strict') fail(`wr_proof: path ${proofCookie.path}, SameSite ${proofCookie.sameSite}`);
  const lifetime = proofCookie.expires - Date.now() / 1000;
  if (!(lifetime > 60 && lifetime <= 121)) fail(`wr_proof expires in ${lifetime} s, expected Max-Age 120`);
  if (!workers.includes('/_wr/wait-assets/solve.js')) fail(`the page started no solve.js worker: ${JSON.stringify(workers)}`);
  if (violations.length > 0) fail(`CSP violations: ${violations.join('; ')}`);
  result.steps.push({ step: 'solved', room, prefix, difficulty, proof, bits, visitor: visitor.value, landedMs, landedAt: Date.now() });

  // Through the gate, as a visitor lives it: a new browser's navigation to a gated page is sent to the challenge page;
  // its worker solves the challenge, the page goes back, the gate takes the proof from the cookie (and clears it), joins,
  // and sends the browser on to the waiting page with its place.
  const joiner = await browser.newContext({ locale: 'en-US' });
  const joinPage = await joiner.newPage();
  const journey = [];
  joinPage.on('framenavigated', (frame) => {
    if (frame === joinPage.mainFrame()) journey.push(new URL(frame.url()).pathname);
  });
  const joinStarted = Date.now();
  await joinPage.goto(base + joinPath);
  await joinPage.waitForURL((url) => url.pathname === `/_wr/wait/${joinRoom}`, { timeout: 60000 });
  const waiting = new URL(joinPage.url());
  if (!journey.includes(`/_wr/wait/${joinRoom}/challenge`)) fail(`the gate did not send the browser to the challenge page: ${journey.join(' -> ')}`);
  if (!waiting.searchParams.get('t')) fail(`the waiting page has no ticket: ${joinPage.url()}`);
  if (waiting.searchParams.get('return') !== joinPath) fail(`the waiting page returns to ${waiting.searchParams.get('return')}, not ${joinPath}`);
  if ((await joiner.cookies(base)).some((c) => c.name === 'wr_proof')) fail('the gate left the wr_proof cookie');
  const place = Number(await joinPage.locator('#wr-position-number').textContent({ timeout: 10000 }));
  if (!(place >= 1)) fail(`the waiting page shows no place: ${place}`);
  result.steps.push({ step: 'joined', room: joinRoom, journey, ms: Date.now() - joinStarted, place });
  await joiner.close();

  // The solver's speed: the worker asset from the hub, at the page's origin under the hubs' CSP, on fresh prefixes of a
  // real prefix's shape (<key id>.<56 characters>.<22 characters>), one challenge after another.
  const [keyId] = prefix.split('.');
  for (const { difficulty: d, count } of solves) {
    const prefixes = Array.from({ length: count }, () => `${keyId}.${base64url(randomBytes(42))}.${base64url(randomBytes(16))}`);
    const runs = await page.evaluate(async ({ prefixes, d }) => {
      const worker = new Worker('/_wr/wait-assets/solve.js');
      const out = [];
      try {
        for (const prefix of prefixes) {
          const started = performance.now();
          let progress = 0;
          const solved = await new Promise((resolve, reject) => {
            worker.onmessage = ({ data }) => {
              if (data.type === 'progress') progress++;
              else if (data.type === 'solved') resolve(data);
              else reject(new Error(JSON.stringify(data)));
            };
            worker.onerror = (event) => reject(new Error(event.message));
            worker.postMessage({ prefix, difficulty: d });
          });
          out.push({ prefix, nonce: solved.nonce, tried: solved.tried, ms: performance.now() - started, progress });
        }
      } finally {
        worker.terminate();
      }
      return out;
    }, { prefixes, d });
    for (const run of runs) {
      const found = work(`${run.prefix}:${run.nonce}`);
      if (found < d) fail(`the worker's nonce ${run.nonce} for ${run.prefix} has ${found} bits, not ${d}`);
    }
    const times = runs.map((r) => r.ms).sort((a, b) => a - b);
    const totalMs = runs.reduce((sum, r) => sum + r.ms, 0);
    const tried = runs.reduce((sum, r) => sum + r.tried, 0);
    const long = runs.filter((r) => r.ms > 1000);
    result.steps.push({
      step: 'speed',
      difficulty: d,
      solves: runs.length,
      medianMs: Math.round(percentile(times, 50)),
      p95Ms: Math.round(percentile(times, 95)),
      maxMs: Math.round(times[times.length - 1]),
      hashesPerSecond: Math.round(tried / (totalMs / 1000)),
      // Progress reports per second of the solves longer than a second (the worker reports every 250 ms).
      progressPerSecond: long.length === 0 ? null
        : Math.round((10 * long.reduce((sum, r) => sum + r.progress, 0)) / (long.reduce((sum, r) => sum + r.ms, 0) / 1000)) / 10,
    });
  }

  await context.close();
});
