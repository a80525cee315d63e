// Keep-alive of an admitted visitor through the real stack: the visitor is admitted at a gated path (the queue is off),
// holds a seat, then opens a page of the site that includes /_wr/keepalive.js (no demo page exists: the page is
// fulfilled by page.route at a gated path of the stack's origin, under the proxies' own Content-Security-Policy, and the
// script, its worker and its keep-alives go to the real proxies). The page stays open for three times AbandonAfter: the
// visitor must stay admitted and the hold held. Then the page is closed: the keep-alives stop, the reaper gives the
// visitor up and the backend releases the hold. Run by YarpWaitingRoom.SystemTests; prints one JSON line with the times.
// BASE_URL, ADMIN_KEY, CHROMIUM as in lib/browser.mjs, and:
//   ROOM           the room of GATED_PATH (default keepalive)
//   GATED_PATH     a gated path of the reservation API (default /keepalive/api/concerts)
//   LB_URL         the internal load balancer (the seats' status, read as an observer)
//   ABANDON_MS     the room's AbandonAfter in milliseconds
//   RELEASE_MS     how long to wait for the release after closing (default 30000)
import { fail, openFollowingRefresh, runCheck, setMode, stackFromEnvironment } from './lib/browser.mjs';

const stack = stackFromEnvironment({ room: 'keepalive', gatedPath: '/keepalive/api/concerts' });
const { base, room, gatedPath } = stack;
const prefix = gatedPath.slice(0, gatedPath.indexOf('/api/'));
const lb = process.env.LB_URL;
const abandonMs = Number(process.env.ABANDON_MS ?? 4000);
const releaseMs = Number(process.env.RELEASE_MS ?? 30000);
// The proxies' own policy (waiting-room/Hosting/SecurityHeaders.cs): the script must work under it.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const shop = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Seats</title>' +
  '<script src="/_wr/keepalive.js" defer></script></head><body><h1>Choose your seats</h1></body></html>';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function seatStatus(seatId) {
  const response = await fetch(`${lb}/api/concerts/1/seats`, { headers: { 'X-WaitingRoom-Visitor': 'keepalive-observer' } });
  if (!response.ok) fail(`seats: HTTP ${response.status}`);
  return (await response.json()).find((s) => s.id === seatId)?.status;
}

const result = { steps: [] };
await runCheck(result, async (browser) => {
  await setMode(stack, 'Off');
  const context = await browser.newContext({ locale: 'en-US' });
  const beats = [];
  context.on('response', (response) => {
    if (new URL(response.url()).pathname === '/_wr/alive') beats.push({ at: Date.now(), status: response.status() });
  });
  const violations = [];
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`securitypolicyviolation: ${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    const text = message.text();
    if (/Refused to|securitypolicyviolation|Content Security Policy/i.test(text)) violations.push(text);
  });

  // Admitted on the spot (the queue is off), with the admission cookie (after a shed join's Refresh, if any).
  const entered = await openFollowingRefresh(page, base + gatedPath, result);
  if (entered?.status() !== 200) fail(`expected to be admitted at ${gatedPath}, got HTTP ${entered?.status()}`);
  if (!(await context.cookies(base)).some((c) => c.name === `wr_${room}` && c.value.length > 0)) fail(`no wr_${room} cookie`);

  // A seat held as this visitor.
  const seats = await (await page.request.get(`${base}${prefix}/api/concerts/1/seats`)).json();
  const seat = seats.find((s) => s.status === 'available');
  if (!seat) fail('no available seat');
  const hold = await page.request.post(`${base}${prefix}/api/holds`, { data: { seatId: seat.id } });
  if (hold.status() !== 201) fail(`hold: HTTP ${hold.status()} ${await hold.text()}`);
  const holdId = (await hold.json()).id;
  result.steps.push({ step: 'held', seatId: seat.id, holdId });

  // The site's page, at the stack's origin, with the keep-alive script.
  await context.route(`${base}${prefix}/shop`, (route) => route.fulfill({
    status: 200, contentType: 'text/html; charset=utf-8', headers: { 'Content-Security-Policy': csp }, body: shop,
  }));
  const openedAt = Date.now();
  await page.goto(`${base}${prefix}/shop`);
  const deadline = Date.now() + 10000;
  while (!beats.some((b) => b.status === 204) && Date.now() < deadline) await sleep(50);
  const first = beats.find((b) => b.status === 204);
  if (!first) fail(`no keep-alive answered 204 within 10 s: ${JSON.stringify(beats)}`);
  // The beats run in the script's dedicated worker (same URL, same origin), whose timer a hidden tab does not throttle.
  const workers = page.workers().map((w) => new URL(w.url()).pathname);
  if (!workers.includes('/_wr/keepalive.js')) fail(`no keep-alive worker: ${JSON.stringify(workers)}`);
  result.steps.push({ step: 'first-beat', afterOpenMs: first.at - openedAt, workers });

  // Three times AbandonAfter with the page open: still admitted, the hold still held.
  await sleep(3 * abandonMs);
  const open = beats.filter((b) => b.at >= first.at);
  if (open.some((b) => b.status !== 204)) fail(`a keep-alive was refused while the page was open: ${JSON.stringify(open)}`);
  if ((await seatStatus(seat.id)) !== 'held') fail(`the hold was lost while the page was open (seat ${seat.id} is ${await seatStatus(seat.id)})`);
  const mine = await page.request.get(`${base}${prefix}/api/holds`);
  if (mine.status() !== 200 || !(await mine.json()).some((h) => h.id === holdId)) fail(`the visitor lost the admission or the hold: HTTP ${mine.status()}`);
  if (violations.length > 0) fail(`CSP violations: ${violations.join(' | ')}`);
  const intervals = open.slice(1).map((b, i) => b.at - open[i].at);
  result.steps.push({
    step: 'kept', openMs: Date.now() - first.at, beats: open.length,
    maxGapMs: Math.max(...intervals), meanGapMs: Math.round(intervals.reduce((a, b) => a + b, 0) / intervals.length),
  });

  // The tab closes: the keep-alives stop, and the hold is released once the visitor is given up.
  const beatsAtClose = beats.length;
  const lastBeatAt = beats[beats.length - 1].at;
  const closedAt = Date.now();
  await page.close();
  let releasedAt = null;
  while (Date.now() < closedAt + releaseMs) {
    if ((await seatStatus(seat.id)) === 'available') {
      releasedAt = Date.now();
      break;
    }
    await sleep(100);
  }
  if (beats.length !== beatsAtClose) fail(`${beats.length - beatsAtClose} keep-alives after the page closed`);
  if (releasedAt === null) fail(`the hold was not released within ${releaseMs} ms of closing the page`);
  result.steps.push({ step: 'closed', closedAt, lastBeatAt, releasedAt, closeToReleaseMs: releasedAt - closedAt });
  await context.close();
}, () => setMode(stack, 'Auto'));
