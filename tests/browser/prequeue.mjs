// Browser journey of a scheduled sale through the real stack, in Korean and in English: a sale is scheduled a few seconds
// ahead through the edge's admin API; the gated page sends the visitor to the waiting page, which counts down to the
// start and shows the visitor's receipt, and no position; at the start the draw places everyone and the page shows the
// position, the receipt kept beside it, the same position the published draw gives that receipt; admission resumed, the
// page follows the entry link and the visitor lands on the page first asked for, with the admission cookie. Any
// Content-Security-Policy violation on the way fails it. Run by YarpWaitingRoom.SystemTests; prints one JSON line.
// BASE_URL, ADMIN_KEY, CHROMIUM as in lib/browser.mjs, and:
//   ROOM         a room of this check's own (default onsale): a sale's open pre-queue holds every visitor of its room
//   GATED_PATH   a page ROOM gates (default /onsale/api/concerts)
//   LEAD_MS      how long after it is scheduled a sale starts (default 8000)
//   LANGUAGES    ko,en (default both, one sale each)
//   ARTIFACTS    where the screenshots go
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { admin, fail, gotoWaitingPage, runCheck, setMode, stackFromEnvironment, watchEntry } from './lib/browser.mjs';

const stack = stackFromEnvironment({ room: 'onsale', gatedPath: '/onsale/api/concerts' });
const { base, room, gatedPath } = stack;
const leadMs = Number(process.env.LEAD_MS ?? 8000);
const languages = (process.env.LANGUAGES ?? 'ko,en').split(',').map((v) => v.trim()).filter(Boolean);
const artifacts = process.env.ARTIFACTS ?? 'artifacts';
mkdirSync(artifacts, { recursive: true });

const locales = { ko: 'ko-KR', en: 'en-US' };
const eventPath = `/_wr/admin/rooms/${room}/event`;

/** Asks `attempt` every half second until it gives `{ value }`; fails with its last `{ seen }` after `timeoutMs`. */
async function until(what, attempt, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { value, seen } = await attempt();
    if (value) return value;
    if (Date.now() > deadline) fail(`${what}: not within ${timeoutMs} ms (last: ${seen})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Waits until wait.js has brought the page where `predicate` says; fails with what the page showed instead. */
async function reach(page, what, predicate, timeout) {
  try {
    await page.waitForFunction(predicate, null, { timeout });
  } catch {
    const seen = await page.evaluate(() => JSON.stringify(window.__waitingRoom?.state() ?? null)).catch(() => 'unreadable');
    fail(`${what}: not within ${timeout} ms (the page's state: ${seen})`);
  }
}

/** Schedules a sale whose pre-queue opens now and which starts `leadMs` from now (once the last one is drawn). */
function schedule(name) {
  return until(`scheduling '${name}'`, async () => {
    const now = Date.now();
    const response = await admin(stack, eventPath, {
      method: 'PUT',
      body: JSON.stringify({ name, prequeueOpensAt: new Date(now).toISOString(), startsAt: new Date(now + leadMs).toISOString(), order: 'Lottery' }),
    });
    // 409: the last sale's pre-queue is open and not drawn yet; it is, at its start.
    if (response.status === 409) return { value: null, seen: 'HTTP 409' };
    if (!response.ok) fail(`scheduling '${name}': HTTP ${response.status} ${await response.text()}`);
    return { value: await response.json() };
  }, leadMs + 30000);
}

/** The position the published draw gives `receipt` (the public NDJSON list, one `{"position","receipt"}` a line). */
async function publishedPosition(receipt) {
  const response = await fetch(`${base}/_wr/rooms/${room}/event/participants`);
  if (!response.ok) fail(`the published draw: HTTP ${response.status}`);
  for (const line of (await response.text()).split('\n')) {
    if (!line.trim()) continue;
    const entry = JSON.parse(line);
    if (entry.receipt === receipt) return entry.position;
  }
  return null;
}

const result = { steps: [] };
await runCheck(result, async (browser) => {
  for (const language of languages) {
    // Nobody is admitted until the page has shown its drawn position; the draw happens at the start, paused or not.
    await setMode(stack, 'Paused');
    const name = language === 'ko' ? '브라우저 점검 공연' : 'Browser check concert';
    const scheduled = await schedule(name);

    const context = await browser.newContext({ locale: locales[language], viewport: { width: 420, height: 880 } });
    const violations = [];
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        console.error(`securitypolicyviolation: ${event.violatedDirective} blocked ${event.blockedURI}`);
      });
    });
    const page = await context.newPage();
    const entry = watchEntry(page);
    page.on('console', (message) => {
      const text = message.text();
      if (/Refused to|securitypolicyviolation|Content Security Policy/i.test(text)) violations.push(text);
    });
    const noViolations = (step) => {
      if (violations.length > 0) fail(`CSP violations by ${step}: ${violations.join(' | ')}`);
    };

    // The pre-queue: a countdown that ticks, the receipt, the sale's name; no position.
    await gotoWaitingPage(page, base + gatedPath, `[${language}] the gated page`, result);
    await reach(page, `[${language}] the pre-queue, connected, with a receipt`, () => {
      const s = window.__waitingRoom?.state();
      return s && s.connection === 'connected' && s.state === 'prequeue' && s.receipt !== null;
    }, 15000);
    const held = await page.evaluate(() => window.__waitingRoom.state());
    if ((await page.getAttribute('html', 'lang')) !== language) fail(`[${language}] the page is not in ${language}`);
    if (held.position !== null) fail(`[${language}] a position (${held.position}) before the draw`);
    if (Date.parse(held.startsAt) !== Date.parse(scheduled.startsAt)) fail(`[${language}] counts down to ${held.startsAt}, not ${scheduled.startsAt}`);
    const shownReceipt = (await page.textContent('#wr-receipt-code')).trim();
    if (shownReceipt !== held.receipt) fail(`[${language}] the receipt shown is '${shownReceipt}', the hub's '${held.receipt}'`);
    const heading = (await page.textContent('#wr-room')).trim();
    if (heading !== name || !(await page.title()).includes(name)) fail(`[${language}] titled '${heading}' / '${await page.title()}', not '${name}'`);
    const countdown = (await page.textContent('#wr-countdown')).trim();
    const fair = (await page.textContent('#wr-fair')).trim();
    if (!(await page.isVisible('#wr-countdown')) || !(await page.isVisible('#wr-fair')) || !(await page.isVisible('#wr-event'))) {
      fail(`[${language}] the countdown, the fairness sentence or the link to the draw is not shown`);
    }
    // It ticks (unless the start is already that close).
    if (Date.parse(held.startsAt) - Date.now() > 3000) {
      await page.waitForFunction((before) => document.getElementById('wr-countdown').textContent.trim() !== before, countdown, { timeout: 5000 });
    }
    await page.screenshot({ path: path.join(artifacts, `prequeue-${language}.png`), fullPage: true });
    noViolations(`prequeue-${language}`);
    result.steps.push({ step: `prequeue-${language}`, receipt: held.receipt, startsAt: held.startsAt, countdown, fair });

    // The start: the draw places everyone; the page shows the position, the receipt beside it, as published.
    await reach(page, `[${language}] a position after the start`, () => {
      const s = window.__waitingRoom?.state();
      return s && s.state === 'waiting' && s.position >= 1;
    }, leadMs + 30000);
    const placed = await page.evaluate(() => window.__waitingRoom.state());
    if (placed.receipt !== held.receipt) fail(`[${language}] the receipt changed from ${held.receipt} to ${placed.receipt}`);
    if (!(await page.isVisible('#wr-receipt-code')) || (await page.textContent('#wr-receipt-code')).trim() !== held.receipt) {
      fail(`[${language}] the receipt is not shown beside the position`);
    }
    const positionText = (await page.textContent('#wr-position')).trim();
    const published = await publishedPosition(held.receipt);
    if (published !== placed.position) fail(`[${language}] position ${placed.position} shown, ${published} published for ${held.receipt}`);
    await page.screenshot({ path: path.join(artifacts, `drawn-${language}.png`), fullPage: true });
    noViolations(`drawn-${language}`);
    result.steps.push({ step: `drawn-${language}`, position: placed.position, published, text: positionText });

    // Admission resumes: the page follows the entry link to the page first asked for, with the cookie.
    await setMode(stack, 'On');
    await entry.landedOn(gatedPath, 30000);
    const cookies = await context.cookies(base);
    if (!cookies.some((c) => c.name === `wr_${room}` && c.value.length > 0)) fail(`[${language}] no wr_${room} cookie after entering`);
    noViolations(`landed-${language}`);
    result.steps.push({ step: `landed-${language}`, url: page.url() });
    await context.close();
  }
}, () => setMode(stack, 'Auto'));
