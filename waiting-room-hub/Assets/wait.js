// The waiting page, kept live: position and ETA pushed over a WebSocket, reconnect with backoff and full
// jitter, a polling fallback when the socket keeps failing, and the move to the entry link on admission. Before a
// scheduled sale starts, the pre-queue view: a countdown to the start and the visitor's receipt, until the draw gives
// a position.
// Plain ES2022, no dependencies, no build step. The page works without it (it refreshes itself). It holds no words and
// no server timing of its own: both come in the page's JSON data (#wr-data), rendered by the hub.
(() => {
  'use strict';

  const BACKOFF_BASE_MS = 1000;
  const BACKOFF_CAP_MS = 30000;
  const STABLE_AFTER_MS = 10000; // a connection open this long resets the backoff
  const CONNECT_TIMEOUT_MS = 10000;
  const POLL_AFTER_FAILURES = 5;
  const POLL_MS = 5000;
  const COUNTDOWN_TICK_MS = 250;
  const START_TICK_MS = 1000;
  // The pre-queue's countdown is announced only when it crosses one of these (seconds before the start), then every hour.
  const START_MILESTONES = [10, 30, 60, 120, 300, 600, 1800, 3600];
  // A receipt as the core writes it (Scheduling/Receipts.cs): 12 characters of Crockford base32.
  const receiptPattern = /^[0-9A-HJKMNP-TV-Z]{12}$/;
  const RECEIPT_GROUP = 4;
  const CLOSE_POLICY_VIOLATION = 1008; // invalid or expired ticket: retrying cannot help
  const CLOSE_GOING_AWAY = 1001; // the hub is going away: another one takes the connection
  const CLOSE_SERVICE_RESTART = 1012; // the hub is stopping and handed us back: reconnect at once
  const CLOSE_REPLACED = 4001; // this ticket opened newer sockets (other tabs): they have the place, do not reconnect
  const HANDOVER_SPREAD_MS = 2000; // reconnects after a hand-back spread over this long, not all in one instant
  const LANG_COOKIE = 'wr_lang';
  const LANG_COOKIE_MAX_AGE = 60 * 60 * 24 * 365;

  const byId = (id) => document.getElementById(id);
  const dataElement = byId('wr-data');
  if (!dataElement) {
    return;
  }

  let data;
  try {
    data = JSON.parse(dataElement.textContent);
  } catch {
    return;
  }

  // The words and the server-side timings come with the page (WaitingPage renders them from Page/Texts/<lang>.json and
  // the options): the room's heartbeat interval, and the silence after which the socket is given up on
  // (2 × SocketHub:PushInterval + the heartbeat interval). Without them this is not the page it belongs to.
  const positiveMs = (value) => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null);
  const text = data.text !== null && typeof data.text === 'object' ? data.text : null;
  const HEARTBEAT_MS = positiveMs(data.heartbeatMs);
  const SILENCE_LIMIT_MS = positiveMs(data.silenceLimitMs);
  if (!text || !HEARTBEAT_MS || !SILENCE_LIMIT_MS) {
    return; // the page keeps working without the script (it refreshes itself)
  }

  const lang = data.lang === 'ko' ? 'ko' : 'en';
  const room = String(data.room ?? '');
  const name = String(data.name ?? room);
  const lottery = data.lottery !== false;
  const ticket = String(data.ticket ?? '');
  const locale = lang === 'ko' ? 'ko-KR' : 'en-US';
  const number = new Intl.NumberFormat(locale);
  const startTime = new Intl.DateTimeFormat(locale, {
    year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short',
  });
  // {name} → values.name; a placeholder without a value stays as it is (the server's PageTexts.Fill, the same rule).
  const fill = (template, values) =>
    String(template).replace(/\{(\w+)\}/g, (placeholder, key) => (Object.hasOwn(values, key) ? String(values[key]) : placeholder));

  // Only same-site paths are followed, whatever a frame says: the server's rule (LocalUrls.Pattern, verbatim): '/' not
  // followed by '/', then at most 2047 visible ASCII characters other than '\'; no whitespace or control character anywhere.
  const localUrl = /^\/(?!\/)[!-\[\]-~]{0,2047}(?![\s\S])/;
  const isLocal = (url) => typeof url === 'string' && localUrl.test(url);
  const returnUrl = isLocal(data.returnUrl) ? data.returnUrl : '/';

  const view = {
    body: document.body,
    waiting: byId('wr-waiting'),
    prequeue: byId('wr-prequeue'),
    queued: byId('wr-queued'),
    lead: byId('wr-lead'),
    countdown: byId('wr-countdown'),
    countdownNote: byId('wr-countdown-note'),
    startsTime: byId('wr-starts-time'),
    receipt: byId('wr-receipt'),
    receiptCode: byId('wr-receipt-code'),
    progressBox: byId('wr-progress-box'),
    keepOpen: byId('wr-keep-open'),
    keepOpenPrequeue: byId('wr-keep-open-prequeue'),
    position: byId('wr-position'),
    eta: byId('wr-eta'),
    progress: byId('wr-progress'),
    progressValue: byId('wr-progress-value'),
    queueNote: byId('wr-queue-note'),
    connection: byId('wr-connection'),
    alert: byId('wr-alert'),
    soldOut: byId('wr-soldout'),
    keep: byId('wr-keep'),
    leave: byId('wr-leave'),
    leaveButton: byId('wr-leave-button'),
    soldOutStatus: byId('wr-soldout-status'),
    stockNote: byId('wr-stock-note'),
  };

  const validReceipt = (value) => (typeof value === 'string' && receiptPattern.test(value) ? value : null);
  const finiteNumber = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  // The server's clock minus this browser's, from the page's own render: the countdown runs on the server's time.
  const startsAtMs = finiteNumber(data.startsAtMs);
  const untilStartMs = finiteNumber(data.untilStartMs);
  const clockSkewMs = startsAtMs !== null && untilStartMs !== null ? startsAtMs - untilStartMs - Date.now() : 0;

  const model = {
    state: ['prequeue', 'waiting', 'active', 'gone'].includes(data.state) ? data.state : 'unknown',
    connection: 'connecting', // connecting | connected | reconnecting | closed
    position: null,
    etaSeconds: null,
    queueOn: Boolean(data.queueOn),
    receipt: validReceipt(data.receipt),
    startsAtMs,
    milestone: null, // the last countdown milestone seen (announced when it changes)
    soldOut: data.soldOut === true,
  };

  let finished = false; // admitted or gone: no more sockets, polls or timers
  let socket = null;
  let everConnected = false;
  let openedAt = 0;
  let failures = 0; // failed connection attempts in a row
  let retryAt = 0;
  let retryTimer = 0;
  let countdownTimer = 0;
  let startTimer = 0;
  let connectTimer = 0;
  let silenceTimer = 0;
  let heartbeatTimer = 0;
  let lastHeartbeatAt = 0;
  let polling = false;
  let pollTimer = 0;

  // ---- rendering ----------------------------------------------------------------------------------

  const setText = (element, value) => {
    // Re-setting the same words would make screen readers announce the live region again.
    if (element && element.textContent !== value) {
      element.textContent = value;
    }
  };

  const formatEta = (seconds) => {
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      return text.etaUnknown;
    }
    if (seconds < 60) {
      return text.etaUnderMinute;
    }
    const minutes = Math.max(1, Math.round(seconds / 60));
    if (minutes < 60) {
      return fill(text.etaMinutes, { m: number.format(minutes) });
    }
    const h = number.format(Math.floor(minutes / 60));
    const m = minutes % 60;
    return m === 0 ? fill(text.etaHours, { h }) : fill(text.etaHoursMinutes, { h, m: number.format(m) });
  };

  const renderPosition = () => {
    const element = view.position;
    if (!element) {
      return;
    }
    if (model.position == null) {
      setText(element, text.positionUnknown);
      return;
    }
    const formatted = number.format(model.position);
    const current = byId('wr-position-number');
    if (current && element.textContent === fill(text.positionAt, { n: current.textContent })) {
      setText(current, formatted);
      return;
    }
    const [before, after] = text.positionAt.split('{n}');
    const strong = document.createElement('strong');
    strong.id = 'wr-position-number';
    strong.textContent = formatted;
    element.replaceChildren(before, strong, after ?? '');
  };

  const renderTitle = () => {
    let title;
    if (model.state === 'active') {
      title = text.titleActive;
    } else if (model.state === 'gone') {
      title = text.titleGone;
    } else if (model.state === 'prequeue') {
      title = text.titlePrequeue;
    } else if (model.position != null) {
      title = fill(text.titleWaitingAt, { n: number.format(model.position) });
    } else {
      title = text.titleWaiting;
    }
    document.title = `${title} – ${name}`;
  };

  // Progress is how far the visitor has moved since this tab first saw them, so it survives reloads.
  const firstKey = `wr:first:${room}:${ticket}`;
  let firstInMemory = null;
  const readFirst = () => {
    try {
      const stored = Number.parseInt(sessionStorage.getItem(firstKey) ?? '', 10);
      return Number.isFinite(stored) ? stored : firstInMemory;
    } catch {
      return firstInMemory;
    }
  };
  const writeFirst = (value) => {
    firstInMemory = value;
    try {
      sessionStorage.setItem(firstKey, String(value));
    } catch {
      // storage off (private mode, quota): keep it for this page only
    }
  };

  const setProgress = (percent) => {
    if (!view.progress) {
      return;
    }
    view.progress.max = 100;
    view.progress.value = percent;
    view.progress.setAttribute('aria-valuetext', fill(text.progressText, { percent }));
    setText(view.progressValue, `${percent}%`);
  };

  const renderProgress = () => {
    if (model.position == null) {
      return; // stays indeterminate until a position is known
    }
    let first = readFirst();
    if (first == null || model.position > first) {
      first = model.position;
      writeFirst(first);
    }
    setProgress(first > 0 ? Math.round(((first - model.position) / first) * 100) : 0);
  };

  const renderConnection = () => {
    const line = view.connection;
    if (!line) {
      return;
    }
    if (model.connection === 'closed') {
      line.hidden = true;
      return;
    }
    let words;
    if (model.connection === 'connected') {
      words = text.connected;
    } else if (model.connection === 'reconnecting') {
      const seconds = Math.ceil((retryAt - Date.now()) / 1000);
      words = seconds >= 1 ? fill(text.reconnectingIn, { seconds: number.format(seconds) }) : text.retrying;
    } else {
      words = everConnected || failures > 0 ? text.retrying : text.connecting;
    }
    if (polling && model.connection !== 'connected') {
      words = `${words} · ${fill(text.polling, { seconds: number.format(POLL_MS / 1000) })}`;
    }
    line.dataset.connection = model.connection;
    setText(line, words);
    line.hidden = false;
  };

  const setConnection = (connection) => {
    model.connection = connection;
    renderConnection();
  };

  const showAlert = (kind, title, lines, link) => {
    if (view.waiting) {
      view.waiting.hidden = true;
    }
    view.body.dataset.state = model.state;
    if (!view.alert) {
      return;
    }
    const heading = document.createElement('p');
    heading.className = 'wr-alert-title';
    heading.textContent = title;
    const nodes = [heading];
    for (const line of lines) {
      const paragraph = document.createElement('p');
      paragraph.textContent = line;
      nodes.push(paragraph);
    }
    if (link) {
      const anchor = document.createElement('a');
      anchor.className = 'wr-button';
      anchor.id = link.id;
      anchor.href = link.href;
      anchor.textContent = link.label;
      const paragraph = document.createElement('p');
      paragraph.append(anchor);
      nodes.push(paragraph);
    }
    view.alert.dataset.kind = kind;
    view.alert.replaceChildren(...nodes);
  };

  // ---- the pre-queue ----------------------------------------------------------------------------------

  // Whole seconds left, rounded up (no "0 s" while time remains); the server's WaitingPage.Countdown, the same rule.
  const formatCountdown = (seconds) => {
    if (seconds <= 0) {
      return text.countdownStarting;
    }
    if (seconds < 60) {
      return fill(text.countdownSeconds, { s: number.format(seconds) });
    }
    if (seconds < 3600) {
      return fill(text.countdownMinutes, { m: number.format(Math.floor(seconds / 60)), s: number.format(seconds % 60) });
    }
    if (seconds < 86400) {
      return fill(text.countdownHours, { h: number.format(Math.floor(seconds / 3600)), m: number.format(Math.floor((seconds % 3600) / 60)) });
    }
    return fill(text.countdownDays, { d: number.format(Math.floor(seconds / 86400)), h: number.format(Math.floor((seconds % 86400) / 3600)) });
  };

  // The milestone a number of seconds left falls under: the smallest of START_MILESTONES at or above it, whole hours
  // above those, 0 once started.
  const milestoneOf = (seconds) => {
    if (seconds <= 0) {
      return 0;
    }
    const fixed = START_MILESTONES.find((limit) => seconds <= limit);
    return fixed ?? Math.ceil(seconds / 3600) * 3600;
  };

  const formatMilestone = (seconds) => {
    if (seconds < 60) {
      return fill(text.countdownSeconds, { s: number.format(seconds) });
    }
    if (seconds < 3600) {
      return fill(text.durationMinutes, { m: number.format(seconds / 60) });
    }
    return fill(text.durationHours, { h: number.format(seconds / 3600) });
  };

  const secondsToStart = () => Math.ceil((model.startsAtMs - (Date.now() + clockSkewMs)) / 1000);

  // Every second on screen (the element is a timer: screen readers do not read it out by itself); to the live
  // region only when a milestone is crossed, never on the first tick.
  const tickStart = () => {
    if (model.state !== 'prequeue' || model.startsAtMs === null) {
      return;
    }
    const seconds = secondsToStart();
    setText(view.countdown, formatCountdown(seconds));
    const milestone = milestoneOf(seconds);
    if (model.milestone !== null && milestone !== model.milestone) {
      setText(view.countdownNote, milestone === 0 ? text.countdownStarting : fill(text.countdownAnnounce, { time: formatMilestone(milestone) }));
    }
    model.milestone = milestone;
    if (seconds <= 0) {
      clearInterval(startTimer); // the draw's position comes from the hub
      startTimer = 0;
    }
  };

  const renderStartTime = () => {
    if (!view.startsTime || model.startsAtMs === null) {
      return;
    }
    const at = new Date(model.startsAtMs);
    view.startsTime.dateTime = at.toISOString();
    setText(view.startsTime, startTime.format(at));
  };

  const renderReceipt = () => {
    if (!view.receipt || !view.receiptCode) {
      return;
    }
    view.receipt.hidden = model.receipt === null;
    if (model.receipt === null || view.receiptCode.textContent === model.receipt) {
      return;
    }
    // Groups of four in spans, spaced by the style sheet: a copy gives the receipt as the published list has it.
    const groups = [];
    for (let i = 0; i < model.receipt.length; i += RECEIPT_GROUP) {
      const span = document.createElement('span');
      span.textContent = model.receipt.slice(i, i + RECEIPT_GROUP);
      groups.push(span);
    }
    view.receiptCode.replaceChildren(...groups);
  };

  // Which of the two views of the waiting section shows: the pre-queue's countdown, or the place in line.
  const renderView = () => {
    const prequeue = model.state === 'prequeue';
    for (const [element, shown] of [
      [view.prequeue, prequeue],
      [view.keepOpenPrequeue, prequeue],
      [view.queued, !prequeue],
      [view.progressBox, !prequeue],
      [view.keepOpen, !prequeue],
    ]) {
      if (element) {
        element.hidden = !shown;
      }
    }
    if (view.queueNote) {
      view.queueNote.hidden = prequeue || model.queueOn;
    }
    setText(view.lead, model.receipt !== null && lottery ? text.leadDrawn : text.lead);
    renderReceipt();
  };

  const readReceipt = (receipt) => {
    const valid = validReceipt(receipt);
    if (valid !== null) {
      model.receipt = valid;
    }
  };

  // ---- sold out: keep the place, or leave -------------------------------------------------------------

  // The panel shows while the room is sold out; the choice is the visitor's: keeping the place costs nothing (seats
  // come back when holds expire), leaving frees it at once for the visitors behind.
  const renderSoldOut = () => {
    if (view.soldOut) {
      view.soldOut.hidden = !model.soldOut;
    }
    if (view.keep) {
      view.keep.hidden = !model.soldOut;
    }
  };

  const applySoldOut = (soldOut) => {
    if (finished || soldOut === model.soldOut) {
      return;
    }
    model.soldOut = soldOut;
    setText(view.soldOutStatus, '');
    renderSoldOut();
    setText(view.stockNote, soldOut ? `${text.soldOutTitle}. ${text.soldOutBody}` : text.restocked);
    if (!soldOut) {
      setText(view.eta, formatEta(model.etaSeconds));
    }
  };

  const leaveUrl = `/_wr/rooms/${encodeURIComponent(room)}/tickets/${encodeURIComponent(ticket)}/leave`;
  let leaving = false;

  const leaveLine = async () => {
    if (leaving || finished) {
      return;
    }
    leaving = true;
    if (view.leaveButton) {
      view.leaveButton.disabled = true;
    }
    setText(view.soldOutStatus, text.soldOutLeaving);
    try {
      const response = await fetch(leaveUrl, {
        method: 'POST',
        headers: { accept: 'application/json' },
        cache: 'no-store',
        credentials: 'same-origin',
      });
      const status = response.ok ? await response.json() : null;
      if (status && status.state === 'gone') {
        gone(typeof status.reason === 'string' ? status.reason : 'left');
        return;
      }
    } catch {
      // offline or refused: the place is still held; say so and let the visitor try again
    }
    leaving = false;
    if (view.leaveButton) {
      view.leaveButton.disabled = false;
    }
    setText(view.soldOutStatus, text.leaveFailed);
  };

  if (view.leave) {
    view.leave.addEventListener('submit', (event) => {
      event.preventDefault();
      leaveLine();
    });
  }
  if (view.keep) {
    view.keep.addEventListener('click', () => {
      view.keep.hidden = true;
      setText(view.soldOutStatus, text.soldOutKept);
    });
  }

  // ---- what the hub says --------------------------------------------------------------------------

  const applyPosition = (position, etaSeconds, queueOn, receipt) => {
    if (finished) {
      return;
    }
    model.state = 'waiting';
    readReceipt(receipt);
    clearInterval(startTimer);
    startTimer = 0;
    model.position = typeof position === 'number' && Number.isFinite(position) && position >= 1 ? position : null;
    model.etaSeconds = typeof etaSeconds === 'number' && Number.isFinite(etaSeconds) ? etaSeconds : null;
    if (typeof queueOn === 'boolean') {
      model.queueOn = queueOn;
    }
    if (view.waiting && view.waiting.hidden) {
      // rendered as "active, entry being prepared", yet the hub says the visitor is still in line
      view.waiting.hidden = false;
      if (view.alert) {
        view.alert.replaceChildren();
        view.alert.dataset.kind = '';
      }
    }
    view.body.dataset.state = model.state;
    renderView();
    renderPosition();
    setText(view.eta, formatEta(model.etaSeconds));
    renderProgress();
    renderTitle();
  };

  // Held in a scheduled sale's pre-queue until the start: the countdown, the receipt; no position yet.
  const applyPrequeue = (receipt, startsAt) => {
    if (finished) {
      return;
    }
    const wasPrequeue = model.state === 'prequeue';
    model.state = 'prequeue';
    readReceipt(receipt);
    const at = typeof startsAt === 'string' ? Date.parse(startsAt) : finiteNumber(startsAt);
    if (Number.isFinite(at)) {
      model.startsAtMs = at;
    }
    renderStartTime();
    if (view.waiting && view.waiting.hidden) {
      view.waiting.hidden = false;
      if (view.alert) {
        view.alert.replaceChildren();
        view.alert.dataset.kind = '';
      }
    }
    view.body.dataset.state = model.state;
    if (!wasPrequeue) {
      model.milestone = null;
    }
    renderView();
    renderTitle();
    tickStart();
    if (!startTimer && model.startsAtMs !== null && secondsToStart() > 0) {
      startTimer = setInterval(tickStart, START_TICK_MS);
    }
  };

  const stopAll = () => {
    finished = true;
    stopPolling();
    clearTimeout(retryTimer);
    clearInterval(countdownTimer);
    clearInterval(startTimer);
    startTimer = 0;
    const current = socket;
    socket = null;
    releaseSocket();
    if (current) {
      detach(current);
      try {
        current.close(1000);
      } catch {
        // already closing
      }
    }
    setConnection('closed');
  };

  const admit = (enterUrl) => {
    if (finished) {
      return; // a second `admitted` (or a poll racing the socket) changes nothing
    }
    stopAll();
    model.state = 'active';
    setProgress(100);
    renderTitle();
    // Only the browser that joined gets the entry link; anyone else with this page's link is told where to go.
    const target = isLocal(enterUrl) ? enterUrl : null;
    showAlert('active', text.yourTurn, [target ? text.takingYouIn : text.activeElsewhere],
      target ? { id: 'wr-enter', href: target, label: text.continue } : null);
    if (target) {
      // Sets the admission cookie and redirects to the page first asked for.
      location.assign(target);
    }
  };

  const gone = (reason) => {
    if (finished) {
      return;
    }
    stopAll();
    model.state = 'gone';
    renderTitle();
    const reasons = {
      expired: text.goneExpired,
      ended: text.goneEnded,
      abandoned: text.goneAbandoned,
      left: text.goneLeft,
      revoked: text.goneRevoked,
      invalid: text.goneInvalid,
    };
    const why = typeof reason === 'string' && Object.hasOwn(reasons, reason) ? reasons[reason] : text.goneOther;
    showAlert('gone', text.goneTitle, [why], { id: 'wr-rejoin', href: returnUrl, label: text.joinAgain });
  };

  // Another tab of this visitor took over (the hub keeps a few sockets per ticket and closes the oldest).
  const replaced = () => {
    if (finished) {
      return;
    }
    stopAll();
    showAlert('replaced', text.replacedTitle, [text.replacedBody], { id: 'wr-wait-here', href: location.href, label: text.waitHere });
  };

  const applyStatus = (status) => {
    if (!status || typeof status !== 'object') {
      return;
    }
    if (status.state === 'active') {
      admit(status.enterUrl);
    } else if (status.state === 'gone') {
      gone(typeof status.reason === 'string' ? status.reason : null);
    } else if (status.state === 'prequeue') {
      applyPrequeue(status.receipt, status.startsAt);
      applySoldOut(status.soldOut === true);
    } else if (status.state === 'waiting') {
      applyPosition(status.position, status.etaSeconds, status.queueOn, status.receipt);
      applySoldOut(status.soldOut === true);
    }
  };

  // ---- WebSocket ----------------------------------------------------------------------------------

  const socketUrl = `${location.protocol === 'https:' ? 'wss://' : 'ws://'}${location.host}/ws?room=${encodeURIComponent(room)}&t=${encodeURIComponent(ticket)}`;

  const detach = (ws) => {
    ws.onopen = null;
    ws.onmessage = null;
    ws.onclose = null;
    ws.onerror = null;
  };

  const releaseSocket = () => {
    clearTimeout(connectTimer);
    clearTimeout(silenceTimer);
    clearInterval(heartbeatTimer);
  };

  const sendHeartbeat = () => {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send('{"type":"heartbeat"}');
      lastHeartbeatAt = Date.now();
    }
  };

  const armSilence = (ws) => {
    clearTimeout(silenceTimer);
    silenceTimer = setTimeout(() => drop(ws), SILENCE_LIMIT_MS);
  };

  // A socket that neither opens nor closes, or falls silent, is given up on without waiting for the
  // browser's own close handshake (which can take minutes on a dead network).
  const drop = (ws) => {
    if (socket !== ws) {
      return;
    }
    detach(ws);
    try {
      ws.close();
    } catch {
      // ignore
    }
    closed(ws, 1006);
  };

  const closed = (ws, code) => {
    if (socket !== ws) {
      return;
    }
    socket = null;
    releaseSocket();
    if (finished) {
      return;
    }
    if (code === CLOSE_POLICY_VIOLATION) {
      gone('invalid');
      return;
    }
    if (code === CLOSE_REPLACED) {
      replaced();
      return;
    }
    const stable = openedAt > 0 && Date.now() - openedAt >= STABLE_AFTER_MS;
    const handedBack = openedAt > 0 && (code === CLOSE_SERVICE_RESTART || code === CLOSE_GOING_AWAY);
    openedAt = 0;
    if (handedBack) {
      // Not a failure: the hub is restarting and another one is ready. No backoff, only a spread.
      failures = 0;
      scheduleReconnect(Math.random() * HANDOVER_SPREAD_MS);
      return;
    }
    failures = stable ? 0 : failures + 1;
    if (failures >= POLL_AFTER_FAILURES) {
      startPolling();
    }
    scheduleReconnect();
  };

  const connect = () => {
    clearTimeout(retryTimer);
    clearInterval(countdownTimer);
    if (finished || socket) {
      return;
    }
    setConnection('connecting');
    let ws;
    try {
      ws = new WebSocket(socketUrl);
    } catch {
      failures += 1;
      scheduleReconnect();
      return;
    }
    socket = ws;
    connectTimer = setTimeout(() => drop(ws), CONNECT_TIMEOUT_MS);

    ws.onopen = () => {
      clearTimeout(connectTimer);
      openedAt = Date.now();
      everConnected = true;
      stopPolling();
      setConnection('connected');
      sendHeartbeat();
      heartbeatTimer = setInterval(sendHeartbeat, HEARTBEAT_MS);
      armSilence(ws);
    };

    ws.onmessage = (event) => {
      if (typeof event.data !== 'string') {
        return;
      }
      armSilence(ws);
      // Background tabs may run timers only once a minute; a frame from the hub still arrives, so answer it.
      if (Date.now() - lastHeartbeatAt >= HEARTBEAT_MS) {
        sendHeartbeat();
      }
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      switch (message && message.type) {
        case 'prequeue':
          applyPrequeue(message.receipt, message.startsAt);
          break;
        case 'position':
          applyPosition(message.position, message.etaSeconds, message.queueOn, message.receipt);
          break;
        case 'admitted':
          admit(message.enterUrl);
          break;
        case 'gone':
          gone(message.reason);
          break;
        case 'soldout':
          applySoldOut(true);
          break;
        case 'restocked':
          applySoldOut(false);
          break;
        default:
          break;
      }
    };

    ws.onclose = (event) => closed(ws, event.code);
  };

  // Exponential backoff with full jitter: a random wait in [0, min(cap, base · 2^failures)), unless told.
  const scheduleReconnect = (after) => {
    if (finished) {
      return;
    }
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(failures, 16));
    const delay = typeof after === 'number' ? after : Math.random() * ceiling;
    retryAt = Date.now() + delay;
    clearTimeout(retryTimer);
    clearInterval(countdownTimer);
    retryTimer = setTimeout(connect, delay);
    countdownTimer = setInterval(renderConnection, COUNTDOWN_TICK_MS);
    setConnection('reconnecting');
  };

  // ---- polling fallback (the socket keeps failing; it is still retried in the background) ---------

  const statusUrl = `/_wr/rooms/${encodeURIComponent(room)}/tickets/${encodeURIComponent(ticket)}`;

  const poll = async () => {
    pollTimer = 0;
    if (!polling || finished) {
      return;
    }
    try {
      const response = await fetch(statusUrl, {
        headers: { accept: 'application/json' },
        cache: 'no-store',
        credentials: 'same-origin',
      });
      // 400: a forged or expired ticket (the contract); anything else may pass, so keep trying.
      if (response.status === 400 || response.status === 410) {
        gone('invalid');
        return;
      }
      if (response.ok && polling) {
        applyStatus(await response.json());
      }
    } catch {
      // offline or the hub is restarting: try again at the next tick
    }
    if (polling && !finished) {
      pollTimer = setTimeout(poll, POLL_MS);
    }
  };

  const startPolling = () => {
    if (polling || finished) {
      return;
    }
    polling = true;
    renderConnection();
    poll();
  };

  const stopPolling = () => {
    polling = false;
    clearTimeout(pollTimer);
    pollTimer = 0;
  };

  // ---- language -----------------------------------------------------------------------------------

  const rememberLanguage = (value) => {
    const secure = location.protocol === 'https:' ? '; Secure' : '';
    document.cookie = `${LANG_COOKIE}=${value}; Path=/; Max-Age=${LANG_COOKIE_MAX_AGE}; SameSite=Lax${secure}`;
  };

  for (const link of document.querySelectorAll('a[data-lang]')) {
    link.addEventListener('click', () => {
      const value = link.dataset.lang;
      if (value === 'ko' || value === 'en') {
        rememberLanguage(value);
      }
    });
  }
  if (new URLSearchParams(location.search).get('lang') === lang) {
    rememberLanguage(lang);
  }

  // ---- start ----------------------------------------------------------------------------------------

  window.__waitingRoom = {
    state: () => ({
      connection: model.connection,
      position: model.position,
      etaSeconds: model.etaSeconds,
      receipt: model.receipt,
      startsAt: model.startsAtMs === null ? null : new Date(model.startsAtMs).toISOString(),
      lang,
      state: model.state,
      soldOut: model.soldOut,
      polling,
      failures,
    }),
  };

  // A page restored from the back/forward cache holds a dead socket and maybe a used entry code.
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) {
      location.reload();
    }
  });

  window.addEventListener('online', () => {
    if (!finished && !socket) {
      connect();
    }
  });

  if (model.state === 'active') {
    admit(data.enterUrl);
  } else if (model.state === 'gone' || !ticket) {
    // the server already rendered why; nothing to connect to
    finished = true;
    model.connection = 'closed';
  } else {
    renderSoldOut();
    if (model.state === 'prequeue') {
      applyPrequeue(model.receipt, model.startsAtMs);
    } else if (model.state === 'waiting') {
      applyPosition(data.position, data.etaSeconds, data.queueOn, data.receipt);
    }
    connect();
  }
})();
