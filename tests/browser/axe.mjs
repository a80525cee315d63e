// Accessibility through the real stack: every HTML page the product serves passes axe-core at WCAG 2.2 AA (lib/axe.mjs),
// in Korean and English, at a desktop and a phone viewport, in light and dark colour schemes. The pages are the waiting
// page in each state it renders: in a scheduled sale's pre-queue (countdown and receipt), waiting with a position,
// waiting in a sold-out room (keep the place or leave it), the place given up, a closing room's sold-out page (410),
// a room's proof-of-work challenge page (solving, and solved with script; its no-JavaScript notice without), the
// challenge page of a browser without cookies (400),
// admitted with the entry link, admitted but opened by another
// browser (no link), its place gone, an invalid ticket (400), an unknown room (404); the proxies and the backends answer
// with redirects, problem documents or JSON, never HTML. With SCRIPTING=on the page is checked live, after wait.js has
// run (connected, position pushed, admission followed); with SCRIPTING=off as a browser without JavaScript shows it.
// Fails on any violation, printing each (id, impact, help, elements); prints one JSON line last, `complete` once every
// page was checked.
// BASE_URL, ADMIN_KEY, CHROMIUM as in lib/browser.mjs, and:
//   ROOM           a room that admits within seconds once its mode is On (default journey)
//   GATED_PATH     a page that ROOM gates (default /journey/api/concerts)
//   GONE_ROOM      a room with a short AbandonAfter whose tickets are let go (default concert)
//   GONE_PATH      a page that GONE_ROOM gates (default /api/concerts)
//   GONE_AFTER_MS  how long after its join an unwatched GONE_ROOM ticket has surely been reaped (default 8000)
//   PREQUEUE_ROOM  a room where the check may hold a sale's pre-queue open for half an hour (default presale): the sale
//                  is scheduled at once, or, once open (it can no longer be replaced), an earlier run's is used
//   PREQUEUE_PATH  a page PREQUEUE_ROOM gates (default /presale/api/concerts)
//   SOLDOUT_ROOM   a room the check may mark sold out (its inventory 0) and pause, keeping its queue (default stock)
//   SOLDOUT_PATH   a page SOLDOUT_ROOM gates (default /stock/api/concerts)
//   CLOSED_ROOM    a room that closes once sold out (WhenSoldOut Close), which the check marks sold out (default closed)
//   CLOSED_PATH    a page CLOSED_ROOM gates (default /closed/api/concerts)
//   CHALLENGE_ROOM a room whose proof-of-work challenge is on, at a low difficulty (default challenge)
//   CHALLENGE_PATH a page CHALLENGE_ROOM gates (default /challenge/api/concerts)
//   LANGUAGES      ko,en (default both)   DEVICES  desktop,phone (default both)   SCRIPTING  on,off (default both)
import { axeViolations, formatViolation, pageWithoutScript } from './lib/axe.mjs';
import { admin, fail, runCheck, setMode, stackFromEnvironment } from './lib/browser.mjs';

const stack = stackFromEnvironment({ room: 'journey', gatedPath: '/journey/api/concerts' });
const goneStack = { ...stack, room: process.env.GONE_ROOM ?? 'concert' };
const gonePath = process.env.GONE_PATH ?? '/api/concerts';
const goneAfterMs = Number(process.env.GONE_AFTER_MS ?? 8000);
const prequeueStack = { ...stack, room: process.env.PREQUEUE_ROOM ?? 'presale', gatedPath: process.env.PREQUEUE_PATH ?? '/presale/api/concerts' };
const soldOutStack = { ...stack, room: process.env.SOLDOUT_ROOM ?? 'stock', gatedPath: process.env.SOLDOUT_PATH ?? '/stock/api/concerts' };
const closedStack = { ...stack, room: process.env.CLOSED_ROOM ?? 'closed', gatedPath: process.env.CLOSED_PATH ?? '/closed/api/concerts' };
const challengeStack = { ...stack, room: process.env.CHALLENGE_ROOM ?? 'challenge', gatedPath: process.env.CHALLENGE_PATH ?? '/challenge/api/concerts' };
const PREQUEUE_OPEN_MS = 30 * 60 * 1000; // how long a sale scheduled here holds its pre-queue
const PREQUEUE_LEFT_MS = 5 * 60 * 1000; // an earlier run's sale must hold this long still
const receiptPattern = /^[0-9A-HJKMNP-TV-Z]{12}$/;

const locales = { ko: 'ko-KR', en: 'en-US' };
const devices = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true },
};
const pick = (name, all) => (process.env[name] ?? all.join(',')).split(',').map((v) => v.trim()).filter(Boolean)
  .map((v) => (all.includes(v) ? v : fail(`${name}: '${v}' is not one of ${all.join(', ')}`)));
const languages = pick('LANGUAGES', Object.keys(locales));
const deviceNames = pick('DEVICES', Object.keys(devices));
const scripting = pick('SCRIPTING', ['on', 'off']);
const schemes = ['light', 'dark'];

const result = { checked: [], violations: [] };

/** A browser of one visitor: its own cookies, language, device and scripting. */
async function visitor(browser, language, device, script) {
  const context = await browser.newContext({ locale: locales[language], ...devices[device] });
  // The entry link sets the admission cookie and leaves the waiting page; answered with 204 here, the page stays
  // (a 204 to a navigation leaves the document as it is) and is checked as it shows the admission.
  await context.route('**/_wr/enter/**', (route) => route.fulfill({ status: 204 }));
  if (script === 'on') {
    const page = await context.newPage();
    return { context, page, goto: (url) => page.goto(url), inspect: (action) => action() };
  }

  return { context, ...(await pageWithoutScript(context)) };
}

/** Checks the page as it is now, in each colour scheme; it must have been answered `status`, in `language`, showing `state`. */
async function check(name, browserPage, response, { language, device, script, status, state }) {
  const { page } = browserPage;
  const where = `${name} [${language}, ${device}, script ${script}]`;
  if (response && response.status() !== status) fail(`${where}: HTTP ${response.status()}, expected ${status}`);
  await browserPage.inspect(async () => {
    const lang = await page.getAttribute('html', 'lang');
    if (lang !== language) fail(`${where}: <html lang="${lang}">, expected ${language}`);
    const scripted = await page.evaluate(() => window.__waitingRoom !== undefined);
    if (scripted !== (script === 'on')) fail(`${where}: wait.js ${scripted ? 'ran' : 'did not run'}`);
    const shown = await page.getAttribute('body', 'data-state');
    if (shown !== state) fail(`${where}: the page shows '${shown}', expected '${state}'`);
    for (const colorScheme of schemes) {
      await page.emulateMedia({ colorScheme });
      const violations = await axeViolations(page);
      result.checked.push({ page: name, language, device, script, colorScheme, violations: violations.length });
      for (const violation of violations) {
        result.violations.push({ page: name, language, device, script, colorScheme, ...violation });
        console.log(formatViolation(`${where} ${colorScheme}`, violation));
      }
    }
  });
}

/** Waits until wait.js has brought the live page where `predicate` says (connected, admitted...). */
async function live(page, predicate) {
  try {
    await page.waitForFunction(predicate, null, { timeout: 30000 });
  } catch {
    const seen = await page.evaluate(() => JSON.stringify(window.__waitingRoom?.state() ?? null)).catch(() => 'unreadable');
    fail(`the live page at ${page.url()} did not get there within 30000 ms (its state: ${seen})`);
  }
}

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

// A proxy may take a moment more than setMode waits to apply a mode (on a loaded machine); until then a gated page is
// let through, so a place is asked for again.
const queuedWithin = 15000;

/** Takes a place as an API client does; returns the waiting page's URL. */
function join(room, path) {
  return until(`a place in ${room} at ${path}`, async () => {
    const response = await fetch(stack.base + path, { headers: { accept: 'application/json' }, redirect: 'manual' });
    const body = await response.json().catch(() => ({}));
    return { value: response.status === 503 ? body.waitUrl : null, seen: `HTTP ${response.status} ${JSON.stringify(body)}` };
  }, queuedWithin);
}

/** A visitor of the combination on the waiting page of ROOM, sent there by the gated page: `{ ...visitor, response }`. */
function queue(browser, { language, device, script }) {
  return until(`a visitor's place at ${stack.gatedPath}`, async () => {
    const browserPage = await visitor(browser, language, device, script);
    const response = await browserPage.goto(stack.base + stack.gatedPath);
    const url = browserPage.page.url();
    if (/\/_wr\/wait\//.test(url)) return { value: { ...browserPage, response } };
    await browserPage.context.close();
    return { value: null, seen: `let through to ${url}` };
  }, queuedWithin);
}

/** A sale in PREQUEUE_ROOM's pre-queue for the whole check: scheduled now, or an earlier run's that is still open. */
async function holdPrequeue() {
  const path = `/_wr/admin/rooms/${prequeueStack.room}/event`;
  const now = Date.now();
  const response = await admin(stack, path, {
    method: 'PUT',
    body: JSON.stringify({
      name: 'Accessibility check: pre-queue',
      prequeueOpensAt: new Date(now).toISOString(),
      startsAt: new Date(now + PREQUEUE_OPEN_MS).toISOString(),
      order: 'Lottery',
    }),
  });
  if (response.status === 409) {
    const current = await (await admin(stack, path)).json();
    const left = Date.parse(current.startsAt) - Date.now();
    if (!(left > PREQUEUE_LEFT_MS)) fail(`the sale held open in ${prequeueStack.room} starts in ${left} ms; it cannot be replaced until drawn`);
    return;
  }

  if (!response.ok) fail(`scheduling a sale in ${prequeueStack.room}: HTTP ${response.status} ${await response.text()}`);
}

/** Sets a room's inventory through the admin API (0: sold out; null: unknown). */
async function setInventory(target, remaining) {
  const { room } = target;
  const response = await admin(target, `/_wr/admin/rooms/${room}/inventory`, { method: 'PUT', body: JSON.stringify({ remaining }) });
  if (!response.ok) fail(`setting ${room}'s inventory to ${remaining}: HTTP ${response.status} ${await response.text()}`);
}

/** A visitor of the combination on PREQUEUE_ROOM's waiting page, held in the pre-queue: `{ ...visitor, response }`. */
function queuePrequeue(browser, combination) {
  return queueIn(browser, combination, prequeueStack);
}

/** A visitor of the combination on `target`'s waiting page, sent there by its gated page: `{ ...visitor, response }`. */
function queueIn(browser, { language, device, script }, target) {
  return until(`a visitor's place in ${target.room}`, async () => {
    const browserPage = await visitor(browser, language, device, script);
    const response = await browserPage.goto(stack.base + target.gatedPath);
    const url = browserPage.page.url();
    if (/\/_wr\/wait\//.test(url)) return { value: { ...browserPage, response } };
    await browserPage.context.close();
    return { value: null, seen: `let through to ${url}` };
  }, queuedWithin);
}

/** The pre-queue view shows what it promises: a countdown, a receipt, the equal chance and the link to check the draw. */
async function shownPrequeue(where, { page, inspect }) {
  await inspect(async () => {
    const shown = await page.evaluate(() => {
      const visible = (id) => {
        const element = document.getElementById(id);
        return element !== null && element.offsetParent !== null ? element.textContent.trim() : null;
      };
      return { countdown: visible('wr-countdown'), receipt: visible('wr-receipt-code'), fair: visible('wr-fair'), link: visible('wr-event'), starts: visible('wr-starts') };
    });
    for (const [what, value] of Object.entries(shown)) {
      if (!value) fail(`${where}: no ${what} shown`);
    }
    if (!receiptPattern.test(shown.receipt)) fail(`${where}: '${shown.receipt}' is not a receipt`);
  });
}

/** Where the ticket of a waiting page's URL stands: waiting, active or gone. */
async function ticketState(waitUrl) {
  const url = new URL(waitUrl, stack.base);
  const room = url.pathname.split('/').pop();
  // Without the visitor's cookie: asking does not deliver the admission.
  const response = await fetch(`${stack.base}/_wr/rooms/${room}/tickets/${encodeURIComponent(url.searchParams.get('t'))}`);
  return response.ok ? (await response.json()).state : `HTTP ${response.status}`;
}

/** The challenge page of CHALLENGE_ROOM, whose return URL this check answers itself (with 204: the page stays). */
function challengeUrl() {
  const prefix = challengeStack.gatedPath.slice(0, challengeStack.gatedPath.indexOf('/api/'));
  return `${stack.base}/_wr/wait/${challengeStack.room}/challenge?return=${encodeURIComponent(`${prefix}/axe-solved`)}`;
}

/**
 * The challenge page of a visitor with a wr_vid (the gate gives it at CHALLENGE_PATH, whatever it answers). With script,
 * checked once the worker has solved it and the page has set the proof and gone back (answered with 204, so the page
 * stays, saying it is done); without, as it stands: the challenge, and that the check needs JavaScript.
 */
async function challengePage(browserPage, combination) {
  const { context, page } = browserPage;
  const where = `challenge [${combination.language}, ${combination.device}, script ${combination.script}]`;
  await context.route('**/axe-solved*', (route) => route.fulfill({ status: 204 }));
  await context.request.get(stack.base + challengeStack.gatedPath, { headers: { accept: 'application/json' }, maxRedirects: 0 });
  if (!(await context.cookies(stack.base)).some((c) => c.name === 'wr_vid')) fail(`${where}: no wr_vid from ${challengeStack.gatedPath}`);
  const response = await browserPage.goto(challengeUrl());
  if (combination.script === 'on') {
    await live(page, () => window.__waitingRoom?.state().phase === 'solved');
    if (!(await context.cookies(stack.base)).some((c) => c.name === 'wr_proof')) fail(`${where}: solved, but no wr_proof cookie`);
  }

  await check('challenge', browserPage, response, { ...combination, status: 200, state: 'challenge' });
}

await runCheck(result, async (browser) => {
  // Nobody is admitted while the checks of the waiting page run; a place in GONE_ROOM is taken and left unwatched, so
  // it is reaped meanwhile.
  await setMode(goneStack, 'Paused');
  await setMode(stack, 'Paused');
  await setMode(soldOutStack, 'Paused');
  await setInventory(soldOutStack, 0);
  await setInventory(closedStack, 0);
  await holdPrequeue();
  const goneUrl = await join(goneStack.room, gonePath);
  const goneSince = Date.now();

  const combinations = languages.flatMap((language) => deviceNames.flatMap((device) =>
    scripting.map((script) => ({ language, device, script }))));
  const visitors = [];
  for (const combination of combinations) {
    const { language, device, script } = combination;

    // Held in the sale's pre-queue: the countdown and the receipt, before any position.
    const held = await queuePrequeue(browser, combination);
    if (script === 'on') {
      await live(held.page, () => {
        const s = window.__waitingRoom?.state();
        return s && s.connection === 'connected' && s.state === 'prequeue' && s.receipt !== null;
      });
    }

    await shownPrequeue(`prequeue [${language}, ${device}, script ${script}]`, held);
    await check('prequeue', held, held.response, { ...combination, status: 200, state: 'prequeue' });
    await held.context.close();

    const { response, ...browserPage } = await queue(browser, combination);
    const waitUrl = browserPage.page.url();
    if (script === 'on') {
      await live(browserPage.page, () => {
        const s = window.__waitingRoom?.state();
        return s && s.connection === 'connected' && s.position >= 1;
      });
    }

    await check('waiting', browserPage, response, { ...combination, status: 200, state: 'waiting' });
    visitors.push({ ...combination, browserPage, waitUrl });

    // Waiting in a sold-out room: said so, with the choice to keep the place or leave it; then the place given up.
    const soldOut = await queueIn(browser, combination, soldOutStack);
    if (script === 'on') {
      await live(soldOut.page, () => {
        const s = window.__waitingRoom?.state();
        return s && s.connection === 'connected' && s.soldOut === true && s.position >= 1;
      });
    }

    await soldOut.inspect(async () => {
      if (!(await soldOut.page.isVisible('#wr-soldout'))) fail(`sold out [${language}, ${device}, script ${script}]: no sold-out panel shown`);
    });
    await check('sold out', soldOut, soldOut.response, { ...combination, status: 200, state: 'waiting' });
    if (script === 'on') {
      await soldOut.page.click('#wr-leave-button');
      await live(soldOut.page, () => window.__waitingRoom?.state().state === 'gone');
      await check('left', soldOut, null, { ...combination, status: 200, state: 'gone' });
    } else {
      // Without JavaScript the form posts, and the proxy sends the browser back to the page, which says the place is given up.
      const [left] = await Promise.all([soldOut.page.waitForNavigation(), soldOut.page.click('#wr-leave-button')]);
      await check('left', soldOut, left, { ...combination, status: 200, state: 'gone' });
    }

    await soldOut.context.close();

    // The pages that need no place of one's own, in a browser of their own.
    const other = await visitor(browser, language, device, script);
    await check('invalid ticket', other, await other.goto(`${stack.base}/_wr/wait/${stack.room}?t=forged&return=%2F`), { ...combination, status: 400, state: 'gone' });
    await check('unknown room', other, await other.goto(`${stack.base}/_wr/wait/no-such-room?t=forged`), { ...combination, status: 404, state: 'gone' });
    // A closing room, sold out, turns a new visitor away to its sold-out page.
    const closed = await until(`${closedStack.room}'s sold-out page`, async () => {
      const response = await other.goto(stack.base + closedStack.gatedPath);
      return { value: response && response.status() === 410 ? response : null, seen: `HTTP ${response?.status()} at ${other.page.url()}` };
    }, queuedWithin);
    await check('sold out (closed)', other, closed, { ...combination, status: 410, state: 'closed' });
    await other.context.close();

    // A room that asks a proof of work: its challenge page, for a browser with the gate's wr_vid and for one without.
    const solver = await visitor(browser, language, device, script);
    await challengePage(solver, combination);
    await solver.context.close();
    const cookieless = await visitor(browser, language, device, script);
    await check('challenge without cookies', cookieless, await cookieless.goto(challengeUrl()), { ...combination, status: 400, state: 'cookies' });
    await cookieless.context.close();
  }

  // The admissions: the live pages follow the pushed notice; without script the visitor loads the page again.
  await setMode(stack, 'On');
  for (const { browserPage, waitUrl, ...combination } of visitors) {
    let response = null;
    if (combination.script === 'on') {
      await live(browserPage.page, () => window.__waitingRoom?.state().state === 'active' && document.getElementById('wr-enter') !== null);
    } else {
      await until('the admission', async () => {
        const state = await ticketState(waitUrl);
        return { value: state === 'active', seen: state };
      }, 30000);
      response = await browserPage.goto(waitUrl);
      if (!(await browserPage.page.$('#wr-enter'))) fail(`admitted [${combination.language}, ${combination.device}, script off]: no entry link`);
    }

    await check('admitted', browserPage, response, { ...combination, status: 200, state: 'active' });

    // The same link in another browser: admitted, but the entry link is shown only where the visitor joined.
    const other = await visitor(browser, combination.language, combination.device, combination.script);
    const elsewhere = await other.goto(waitUrl);
    if (combination.script === 'on') {
      await live(other.page, () => window.__waitingRoom?.state().state === 'active');
    }

    if (await other.page.$('#wr-enter')) fail('admitted elsewhere: the entry link is shown to another browser');
    await check('admitted elsewhere', other, elsewhere, { ...combination, status: 200, state: 'active' });
    await other.context.close();
    await browserPage.context.close();
  }

  // The place left unwatched is gone by now.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, goneSince + goneAfterMs - Date.now())));
  const goneState = await ticketState(goneUrl);
  if (goneState !== 'gone') fail(`the ${goneStack.room} ticket left unwatched for ${goneAfterMs} ms is '${goneState}', not gone`);
  for (const combination of combinations) {
    const browserPage = await visitor(browser, combination.language, combination.device, combination.script);
    await check('gone', browserPage, await browserPage.goto(new URL(goneUrl, stack.base).href), { ...combination, status: 200, state: 'gone' });
    await browserPage.context.close();
  }

  // Every page was checked: what follows is the verdict.
  result.complete = true;
  if (result.violations.length > 0) {
    fail(`${result.violations.length} axe violation(s) on ${new Set(result.violations.map((v) => `${v.page} [${v.language}, ${v.device}, script ${v.script}] ${v.colorScheme}`)).size} page view(s); see the lines above`);
  }
}, async () => {
  await setMode(stack, 'Auto');
  await setMode(goneStack, 'Auto');
  await setMode(soldOutStack, 'Auto');
  await setInventory(soldOutStack, null);
  await setInventory(closedStack, null);
});
