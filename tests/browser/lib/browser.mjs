// What the browser checks share: the stack from the environment, the room's mode through the admin API, headless
// Chromium, and the one JSON line a check prints for YarpWaitingRoom.SystemTests (exit 0 when it holds).
//   BASE_URL     the edge, e.g. http://127.0.0.1:8080
//   ADMIN_KEY    the stack's admin key
//   ROOM         the room of GATED_PATH (each check has its default)
//   GATED_PATH   a gated path (each check has its default)
//   CHROMIUM     the browser (default /usr/bin/chromium)
import { chromium } from 'playwright-core';

export function fail(message) {
  throw new Error(message);
}

/** The stack a check runs against, from the environment; `defaults` gives the room and gated path. */
export function stackFromEnvironment(defaults) {
  return {
    base: process.env.BASE_URL,
    adminKey: process.env.ADMIN_KEY,
    room: process.env.ROOM ?? defaults.room,
    gatedPath: process.env.GATED_PATH ?? defaults.gatedPath,
  };
}

/**
 * An admin API call through the edge (`init` as fetch's, the key and JSON content type added). A 503 (Redis busy, or
 * stalled for a moment on a loaded machine) is asked again after its Retry-After, up to five times, as an operator's
 * script should: every admin call the checks make (mode, event, inventory) sets a value, so asking again is safe.
 * Returns the last response, whatever its status.
 */
export async function admin({ base, adminKey }, path, init = {}) {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${base}${path}`, {
      ...init,
      headers: { 'X-WaitingRoom-Admin-Key': adminKey, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
    });
    if (response.status !== 503 || attempt >= 5) return response;
    await response.arrayBuffer();
    const retryAfter = Math.min(Number(response.headers.get('retry-after')) || 1, 5);
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
  }
}

/** Sets the room's mode through the edge, then waits until every proxy has applied it. */
export async function setMode(stack, mode) {
  const response = await admin(stack, `/_wr/admin/rooms/${stack.room}/mode`, { method: 'PUT', body: JSON.stringify({ mode }) });
  if (!response.ok) fail(`setting mode ${mode}: HTTP ${response.status} ${await response.text()}`);
  // Every proxy applies a mode change at once by pub/sub, else at its next 1-s poll; on a saturated 2-core machine a
  // poll can run a second or more late (seen in CI: a journey visitor admitted by a proxy still in Auto), so the checks
  // give it two and a half seconds.
  await new Promise((resolve) => setTimeout(resolve, 2500));
}

/**
 * Opens `url` as a visitor's browser does, shed answers included: a join shed while Redis is slow (503 busy or
 * unavailable, with `Retry-After` and `Refresh`) is what a visitor may meet on a saturated machine, and the browser loads
 * the page again after the wait, as `Refresh` tells it. Up to three sheds are followed; `result.sheds` counts them when a
 * result is given. Returns the last answer (its page loaded).
 */
export async function openFollowingRefresh(page, url, result = null) {
  let answer = await page.goto(url);
  for (let sheds = 1; sheds <= 3 && answer?.status() === 503 && answer.headers()['refresh'] !== undefined; sheds++) {
    if (result) result.sheds = sheds;
    const wait = Number(answer.headers()['refresh']) || 5;
    answer = await page.waitForResponse(
      (response) => response.request().isNavigationRequest() && response.frame() === page.mainFrame() && (response.status() < 300 || response.status() >= 400),
      { timeout: (wait + 20) * 1000 },
    ).catch(() => answer);
    // The answer's headers arrive before the page is replaced: wait for the page it loads.
    await page.waitForURL(answer.url(), { waitUntil: 'load', timeout: 15000 }).catch(() => {});
  }
  return answer;
}

/**
 * Opens `url`, a page the room gates while its queue is on (following sheds: `openFollowingRefresh`), and returns the
 * waiting page's answer. Fails unless the browser reaches the waiting page, saying every hop of the way (path, status,
 * redirect), the cookies it got and the last answer's body, so a direct admission is told apart from a gate failing open.
 */
export async function gotoWaitingPage(page, url, what = 'the gated page', result = null) {
  const answer = await openFollowingRefresh(page, url, result);
  if (!/\/_wr\/wait\//.test(new URL(page.url()).pathname)) {
    const hops = [];
    for (let request = answer?.request(); request; request = request.redirectedFrom()) {
      const response = await request.response();
      hops.unshift(`${request.method()} ${new URL(request.url()).pathname} → ${response ? response.status() : 'no answer'}`);
    }
    // An admission cookie tells a direct admission from a gate that let the visitor through without Redis (FailurePolicy Open).
    const cookies = (await page.context().cookies(url)).map((c) => c.name);
    fail(`${what}: expected the waiting page, got ${page.url()} (the navigation: ${hops.join(', ') || 'none'}; cookies: ` +
      `${cookies.join(', ') || 'none'}; the answer's body: ${answer ? (await answer.text().catch(() => '')).slice(0, 300) : 'none'})`);
  }
  return answer;
}

/**
 * Watches the entry links `page` follows (`/_wr/enter/...`): `landedOn(pathname, timeout)` then waits until the page is
 * at `pathname`, and when it is not within `timeout` fails saying where the page stayed and what each entry link
 * answered (status, body), so a refused or failed entry is told apart from one never followed.
 */
export function watchEntry(page) {
  const entries = [];
  page.on('response', async (response) => {
    if (response.request().isNavigationRequest() && new URL(response.url()).pathname.startsWith('/_wr/enter/')) {
      const entry = { status: response.status(), at: new Date().toISOString() };
      entries.push(entry);
      if (response.status() < 300 || response.status() >= 400) {
        entry.body = (await response.text().catch(() => '')).slice(0, 400);
      }
    }
  });
  return {
    async landedOn(pathname, timeout) {
      try {
        await page.waitForURL((url) => url.pathname === pathname, { timeout });
      } catch (error) {
        fail(`not at ${pathname} after ${timeout} ms but at ${page.url()}; entry links answered ${JSON.stringify(entries)} (${error.message.split('\n')[0]})`);
      }
    },
  };
}

/**
 * Runs `check(browser)` in headless Chromium and reports: `result.ok`, or `result.error` with what failed, printed as
 * one JSON line; the process exits 0 when the check held. `cleanup` runs afterwards in any case (its errors ignored).
 */
export async function runCheck(result, check, cleanup = async () => {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  try {
    await check(browser);
    result.ok = true;
  } catch (error) {
    result.ok = false;
    result.error = String(error?.stack ?? error);
  } finally {
    await browser.close();
    await cleanup().catch(() => {});
  }

  console.log(JSON.stringify(result));
  process.exit(result.ok ? 0 : 1);
}
