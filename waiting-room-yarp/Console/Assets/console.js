// The operator console, kept live: the room's view from its event stream (GET {apiBase}/rooms/{room}/live, one frame a
// second), drawn as figures, a hand-written SVG chart of the last 15 minutes and a timeline; and the controls, each
// confirmed in a dialog before its call. Plain ES2022, no dependencies, no build step. It holds no words of its own:
// they come in the page's JSON data (#wr-console-data), rendered by ConsolePage from Console/Texts/<lang>.json.
// It sets no inline style (the page runs under style-src 'self'): classes, attributes and SVG geometry only.
(() => {
  'use strict';

  const HISTORY_SECONDS = 900; // the chart's window: 15 minutes of one point a second
  const TIMELINE_MAX = 50;
  const RETRY_MS = 5000; // after the stream failed for good, how long before a new one
  const CHART = { width: 960, height: 320, left: 80, right: 96, top: 16, bottom: 40 };
  const AXIS_MINUTES = [15, 10, 5];
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const CSRF_HEADER = 'X-WaitingRoom-Csrf';

  const byId = (id) => document.getElementById(id);
  const dataElement = byId('wr-console-data');
  if (!dataElement) {
    return;
  }

  let data;
  try {
    data = JSON.parse(dataElement.textContent);
  } catch {
    return;
  }

  const text = data.texts !== null && typeof data.texts === 'object' ? data.texts : null;
  if (!text) {
    return;
  }

  const lang = data.language === 'ko' ? 'ko' : 'en';
  const room = String(data.room ?? '');
  const apiBase = String(data.apiBase ?? '');
  const csrfToken = String(data.csrfToken ?? '');
  const roomUrl = `${apiBase}/rooms/${encodeURIComponent(room)}`;
  const thresholds = {
    off: Number(data.thresholds?.off ?? 0),
    on: Number(data.thresholds?.on ?? 0),
    spike: Number(data.thresholds?.spike ?? 0),
  };

  const number = new Intl.NumberFormat(lang);
  const decimal = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  const clock = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const minuteClock = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' });
  const dateTime = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });

  // {name} → values.name; a placeholder without a value stays as it is (the server's TextTable.Fill, the same rule).
  const fill = (template, values) =>
    String(template).replace(/\{(\w+)\}/g, (placeholder, key) => (Object.hasOwn(values, key) ? String(values[key]) : placeholder));

  const modeNames = { Auto: text.modeAuto, On: text.modeOn, Off: text.modeOff, Paused: text.modePaused };
  const actionNames = {
    mode: text.actionMode,
    'max-active': text.actionMaxActive,
    'network-cap': text.actionNetworkCap,
    challenge: text.actionChallenge,
    inventory: text.actionInventory,
    event: text.actionEvent,
    'event-cancel': text.actionEventCancel,
    reset: text.actionReset,
    'sign-in': text.actionSignIn,
    'sign-out': text.actionSignOut,
  };
  const accessNames = { Open: text.accessOpen, Invitation: text.accessInvitation };

  const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);
  const parseTime = (value) => {
    const time = typeof value === 'string' ? Date.parse(value) : NaN;
    return Number.isFinite(time) ? new Date(time) : null;
  };
  const formatTime = (value) => {
    const time = parseTime(value);
    return time ? clock.format(time) : text.unknown;
  };
  const formatDuration = (seconds) => {
    if (!isNumber(seconds) || seconds < 0) {
      return text.unknown;
    }

    const whole = Math.round(seconds);
    if (whole < 60) {
      return fill(text.durationSeconds, { s: number.format(whole) });
    }

    if (whole < 3600) {
      return fill(text.durationMinutes, { m: number.format(Math.floor(whole / 60)), s: number.format(whole % 60) });
    }

    return fill(text.durationHours, { h: number.format(Math.floor(whole / 3600)), m: number.format(Math.floor((whole % 3600) / 60)) });
  };
  const perSecond = (value) => (isNumber(value) ? fill(text.perSecond, { n: decimal.format(value) }) : text.unknown);
  const setText = (id, value) => {
    const element = byId(id);
    if (element && element.textContent !== value) {
      element.textContent = value;
    }
  };

  // --- Announcements and the end of the session -------------------------------------------------------------------

  const announce = (message) => {
    const region = byId('wr-announce');
    if (region) {
      region.textContent = '';
      // A new text in a cleared region is announced even when it repeats the last one.
      requestAnimationFrame(() => { region.textContent = message; });
    }
  };

  let source = null;
  let ended = false;
  let retryTimer = 0;

  const endSession = (reason) => {
    if (ended) {
      return;
    }

    ended = true;
    clearTimeout(retryTimer);
    source?.close();
    source = null;
    const why = reason === 'signed-out' ? text.sessionEndedSignedOut : reason === 'expired' ? text.sessionEndedExpired : text.sessionEnded;
    setText('wr-ended-text', why);
    byId('wr-ended')?.removeAttribute('hidden');
    setConnection('ended', text.sessionEnded);
    for (const control of document.querySelectorAll('form[data-control] button, form[data-control] input')) {
      control.disabled = true;
    }

    byId('wr-sign-in-again')?.focus();
  };

  const setConnection = (state, message) => {
    const element = byId('wr-connection');
    if (element) {
      element.dataset.state = state;
      if (element.textContent !== message) {
        element.textContent = message;
      }
    }
  };

  // --- The chart ---------------------------------------------------------------------------------------------------

  const history = []; // { t, rate, avg10 }, oldest first, at most HISTORY_SECONDS
  const chart = byId('wr-chart');
  const plotWidth = CHART.width - CHART.left - CHART.right;
  const plotHeight = CHART.height - CHART.top - CHART.bottom;

  const svg = (name, attributes, content) => {
    const element = document.createElementNS(SVG_NS, name);
    for (const [key, value] of Object.entries(attributes)) {
      element.setAttribute(key, String(value));
    }

    if (content !== undefined) {
      element.textContent = content;
    }

    return element;
  };

  // The chart's fixed parts are drawn once per scale; the two lines are redrawn each second.
  const chartLayer = chart ? svg('g', { class: 'wr-chart-frame' }) : null;
  const rateLine = chart ? svg('polyline', { class: 'wr-line-rate', points: '' }) : null;
  const averageLine = chart ? svg('polyline', { class: 'wr-line-average', points: '' }) : null;
  if (chart) {
    chart.append(chartLayer, averageLine, rateLine);
  }

  let drawnScale = 0;

  const niceCeiling = (value) => {
    const magnitude = 10 ** Math.floor(Math.log10(Math.max(value, 1)));
    for (const step of [1, 2, 2.5, 5, 10]) {
      if (step * magnitude >= value) {
        return step * magnitude;
      }
    }

    return 10 * magnitude;
  };

  const yOf = (value, scale) => CHART.top + plotHeight - (Math.min(value, scale) / scale) * plotHeight;

  const drawFrame = (scale) => {
    chartLayer.replaceChildren();
    const bottom = CHART.top + plotHeight;
    // Horizontal grid and rate axis: five steps.
    for (let i = 0; i <= 4; i += 1) {
      const value = (scale / 4) * i;
      const y = yOf(value, scale);
      chartLayer.append(
        svg('line', { class: 'wr-grid-line', x1: CHART.left, x2: CHART.left + plotWidth, y1: y, y2: y }),
        svg('text', { class: 'wr-axis-label', x: CHART.left - 8, y: y + 4, 'text-anchor': 'end' }, number.format(value)));
    }

    // Time axis: 15, 10 and 5 minutes ago, and now.
    for (const minutes of AXIS_MINUTES) {
      const x = CHART.left + plotWidth * (1 - (minutes * 60) / HISTORY_SECONDS);
      chartLayer.append(
        svg('line', { class: 'wr-grid-line', x1: x, x2: x, y1: CHART.top, y2: bottom }),
        svg('text', { class: 'wr-axis-label', x, y: bottom + 24, 'text-anchor': minutes === 15 ? 'start' : 'middle' }, fill(text.axisMinutesAgo, { m: number.format(minutes) })));
    }

    chartLayer.append(
      svg('text', { class: 'wr-axis-label', x: CHART.left + plotWidth, y: bottom + 24, 'text-anchor': 'end' }, text.axisNow),
      svg('line', { class: 'wr-axis', x1: CHART.left, x2: CHART.left + plotWidth, y1: bottom, y2: bottom }),
      svg('line', { class: 'wr-axis', x1: CHART.left, x2: CHART.left, y1: CHART.top, y2: bottom }),
      svg('text', { class: 'wr-axis-label', x: 0, y: 0, 'text-anchor': 'middle', transform: `translate(14 ${CHART.top + plotHeight / 2}) rotate(-90)` }, text.axisRate));

    // The switch's thresholds, each a labelled line (a dash pattern of its own, not only a colour).
    const lines = [
      ['wr-threshold-off', thresholds.off, text.thresholdOff],
      ['wr-threshold-on', thresholds.on, text.thresholdOn],
      ['wr-threshold-spike', thresholds.spike, text.thresholdSpike],
    ];
    let lastLabelY = Infinity;
    for (const [kind, value, template] of lines) {
      if (!isNumber(value) || value <= 0) {
        continue;
      }

      const y = yOf(value, scale);
      // Labels sit right of the plot; a label too close to the one below moves up so both stay readable.
      const labelY = Math.min(y + 4, lastLabelY - 14);
      lastLabelY = labelY;
      chartLayer.append(
        svg('line', { class: `wr-threshold ${kind}`, x1: CHART.left, x2: CHART.left + plotWidth, y1: y, y2: y }),
        svg('text', { class: `wr-threshold-label ${kind}`, x: CHART.left + plotWidth + 6, y: labelY }, fill(template, { n: number.format(value) })));
    }

    drawnScale = scale;
  };

  const drawChart = () => {
    if (!chart) {
      return;
    }

    let peak = Math.max(thresholds.spike, thresholds.on, thresholds.off, 1);
    for (const point of history) {
      peak = Math.max(peak, point.rate, point.avg10);
    }

    const scale = niceCeiling(peak * 1.1);
    if (scale !== drawnScale) {
      drawFrame(scale);
    }

    const now = history.length > 0 ? history[history.length - 1].t : 0;
    const xOf = (t) => CHART.left + plotWidth * (1 - (now - t) / HISTORY_SECONDS);
    const points = (key) => history.map((point) => `${xOf(point.t).toFixed(1)},${yOf(point[key], scale).toFixed(1)}`).join(' ');
    rateLine.setAttribute('points', points('rate'));
    averageLine.setAttribute('points', points('avg10'));
  };

  const summarize = () => {
    if (history.length === 0) {
      setText('wr-chart-summary', text.chartEmpty);
      return;
    }

    let min = Infinity;
    let max = -Infinity;
    for (const point of history) {
      min = Math.min(min, point.rate);
      max = Math.max(max, point.rate);
    }

    const last = history[history.length - 1];
    setText('wr-chart-summary', fill(text.chartSummary, {
      minutes: number.format(Math.max(1, Math.round((last.t - history[0].t) / 60))),
      min: decimal.format(min),
      max: decimal.format(max),
      now: decimal.format(last.rate),
      avg: decimal.format(last.avg10),
      off: number.format(thresholds.off),
      on: number.format(thresholds.on),
      spike: number.format(thresholds.spike),
    }));
  };

  // The table alternative: one row a minute, newest first (rebuilt when a minute completes or on hello).
  let tabledMinute = -1;
  const tabulate = (force) => {
    const body = byId('wr-chart-rows');
    if (!body || history.length === 0) {
      return;
    }

    const minute = Math.floor(history[history.length - 1].t / 60);
    if (!force && minute === tabledMinute) {
      return;
    }

    tabledMinute = minute;
    const minutes = new Map();
    for (const point of history) {
      const key = Math.floor(point.t / 60);
      const entry = minutes.get(key) ?? { sum: 0, count: 0, peak: 0 };
      entry.sum += point.rate;
      entry.count += 1;
      entry.peak = Math.max(entry.peak, point.rate);
      minutes.set(key, entry);
    }

    const rows = [...minutes.entries()].sort((a, b) => b[0] - a[0]).map(([key, entry]) => {
      const row = document.createElement('tr');
      const head = document.createElement('th');
      head.scope = 'row';
      head.textContent = minuteClock.format(new Date(key * 60000));
      const average = document.createElement('td');
      average.className = 'wr-number';
      average.textContent = decimal.format(entry.sum / entry.count);
      const peak = document.createElement('td');
      peak.className = 'wr-number';
      peak.textContent = decimal.format(entry.peak);
      row.append(head, average, peak);
      return row;
    });
    body.replaceChildren(...rows);
  };

  const addPoint = (point) => {
    if (!point || !isNumber(point.t)) {
      return;
    }

    const rate = isNumber(point.rate) ? point.rate : 0;
    const avg10 = isNumber(point.avg10) ? point.avg10 : 0;
    const last = history[history.length - 1];
    if (last && point.t <= last.t) {
      return; // a repeat (or a late frame): the chart moves forward only
    }

    history.push({ t: point.t, rate, avg10 });
    const oldest = point.t - HISTORY_SECONDS;
    while (history.length > 0 && history[0].t <= oldest) {
      history.shift();
    }
  };

  // --- The view ----------------------------------------------------------------------------------------------------

  let shownMode = null;
  let stalledShown = false;
  const baseTitle = document.title;

  const renderStalled = (view) => {
    const banner = byId('wr-stalled');
    if (!banner) {
      return;
    }

    const stalled = view.admissionStalled === true;
    if (stalled) {
      const body = parseTime(view.lastAdmissionRun)
        ? fill(text.stalledBody, { time: formatTime(view.lastAdmissionRun) })
        : text.stalledNever;
      const title = banner.querySelector('.wr-stalled-title') ?? document.createElement('p');
      const detail = banner.querySelector('.wr-stalled-body') ?? document.createElement('p');
      title.className = 'wr-stalled-title';
      detail.className = 'wr-stalled-body';
      title.textContent = text.stalledTitle;
      if (detail.textContent !== body) {
        detail.textContent = body;
      }

      if (!stalledShown) {
        // Inserted while shown, so the alert is announced once, when it starts.
        banner.removeAttribute('hidden');
        banner.replaceChildren(title, detail);
        document.title = `${text.stalledTitle} – ${baseTitle}`;
        document.body.classList.add('wr-is-stalled');
        stalledShown = true;
      }
    } else if (stalledShown) {
      banner.setAttribute('hidden', '');
      banner.replaceChildren();
      document.title = baseTitle;
      document.body.classList.remove('wr-is-stalled');
      stalledShown = false;
    }
  };

  // A per-network cap: a number of places, 0 being off.
  const networkCap = (value) => (isNumber(value) && value > 0 ? number.format(value) : text.networkCapOff);

  // The bot defences: the per-network cap in force (and the configured one when an operator's differs), the networks at
  // it and the busiest ones, and the gates' entry tally (a field the view lacks counts 0). The table of networks is
  // rebuilt only when they change, so an operator can select and copy a network while the view ticks.
  let shownNetworks = null;
  const renderBots = (view) => {
    setText('wr-network-cap', networkCap(view.maxPlacesPerNetwork));
    const configured = view.maxPlacesPerNetworkConfigured;
    setText('wr-network-cap-configured', isNumber(configured) && configured !== view.maxPlacesPerNetwork
      ? fill(text.networkCapConfigured, { n: networkCap(configured) })
      : '');
    setText('wr-networks-at-cap', number.format(isNumber(view.networksAtCap) ? view.networksAtCap : 0));

    const entry = view.entry !== null && typeof view.entry === 'object' ? view.entry : {};
    const tally = (field) => number.format(isNumber(entry[field]) ? entry[field] : 0);
    setText('wr-entry-challenges-issued', tally('challengesIssued'));
    setText('wr-entry-challenges-solved', tally('challengesSolved'));
    setText('wr-entry-proofs-refused', tally('proofsRefused'));
    setText('wr-entry-proofs-replayed', tally('proofsReplayed'));
    setText('wr-entry-invitations-refused', tally('invitationsRefused'));

    const networks = (Array.isArray(view.busiestNetworks) ? view.busiestNetworks : [])
      .filter((item) => item !== null && typeof item === 'object');
    const shown = JSON.stringify(networks);
    if (shown === shownNetworks) {
      return;
    }

    shownNetworks = shown;
    const rows = networks.map((item) => {
      const row = document.createElement('tr');
      const name = document.createElement('th');
      name.scope = 'row';
      name.textContent = String(item.network ?? '');
      const places = document.createElement('td');
      places.className = 'wr-number';
      places.textContent = number.format(isNumber(item.places) ? item.places : 0);
      row.append(name, places);
      return row;
    });
    byId('wr-busiest-networks')?.replaceChildren(...rows);
    byId('wr-busiest-networks-none')?.toggleAttribute('hidden', rows.length > 0);
  };

  const renderView = (view) => {
    if (!view || typeof view !== 'object') {
      return;
    }

    renderStalled(view);

    const queue = byId('wr-queue-state');
    if (queue) {
      queue.dataset.on = view.queueOn ? 'true' : 'false';
      setText('wr-queue-state', view.queueOn ? text.queueOn : text.queueOff);
    }

    setText('wr-mode', modeNames[view.mode] ?? String(view.mode ?? text.unknown));
    setText('wr-reason', String(view.reason ?? '') || text.unknown);
    const since = byId('wr-since');
    if (since) {
      const time = parseTime(view.since);
      since.dateTime = time ? time.toISOString() : '';
      setText('wr-since', time ? dateTime.format(time) : text.unknown);
    }

    setText('wr-rate', perSecond(view.ratePerSecond));
    setText('wr-rate-average', perSecond(view.rateTenSecondAverage));

    const waiting = isNumber(view.waiting) ? view.waiting : 0;
    const active = isNumber(view.active) ? view.active : 0;
    const cap = isNumber(view.maxActive) ? view.maxActive : 0;
    setText('wr-waiting', number.format(waiting));
    setText('wr-active', number.format(active));
    setText('wr-cap', number.format(cap));
    setText('wr-active-of-cap', fill(text.activeOfCap, { active: number.format(active), cap: number.format(cap) }));
    setText('wr-waiting-ratio', cap > 0 ? fill(text.waitingRatio, { ratio: decimal.format(waiting / cap) }) : '');
    setText('wr-cap-configured', isNumber(view.maxActiveConfigured) ? fill(text.capConfigured, { n: number.format(view.maxActiveConfigured) }) : '');
    const meter = byId('wr-active-meter');
    if (meter) {
      const max = Math.max(cap, 1);
      meter.max = max;
      meter.low = max * 0.8;
      meter.high = max * 0.95;
      meter.optimum = max * 0.5;
      meter.value = Math.min(active, max);
    }

    setText('wr-admitted', isNumber(view.admittedPerMinute) ? decimal.format(view.admittedPerMinute) : text.unknown);
    setText('wr-abandoned', isNumber(view.abandonedPerMinute) ? decimal.format(view.abandonedPerMinute) : text.unknown);
    setText('wr-admit-rate', perSecond(view.admitRatePerSecond));
    setText('wr-median-wait', formatDuration(view.medianWaitSeconds));
    setText('wr-eta-back', formatDuration(view.etaAtBackSeconds));
    setText('wr-last-admission', view.lastAdmissionRun ? formatTime(view.lastAdmissionRun) : text.never);

    const inventory = isNumber(view.inventoryRemaining) ? number.format(view.inventoryRemaining) : text.inventoryNotTracked;
    setText('wr-inventory', view.soldOut ? `${inventory} (${text.soldOut})` : inventory);
    const challenge = view.challenge && view.challenge.mode === 'ProofOfWork'
      ? fill(text.challengeProofOfWork, { n: number.format(view.challenge.difficulty ?? 0) })
      : text.challengeNone;
    setText('wr-challenge', challenge);
    setText('wr-access', accessNames[view.access] ?? String(view.access ?? text.unknown));
    const sale = view.sale;
    setText('wr-event', sale && sale.name
      ? fill(text.eventSummary, { name: sale.name, time: parseTime(sale.startsAt) ? dateTime.format(parseTime(sale.startsAt)) : text.unknown, state: String(sale.state ?? '') })
      : text.eventNone);
    renderBots(view);

    // The controls start from what is in force, and follow it while the operator is not changing them.
    if (view.mode !== shownMode) {
      shownMode = view.mode;
      const form = byId('wr-mode-form');
      if (form && !form.contains(document.activeElement)) {
        for (const radio of form.querySelectorAll('input[name="mode"]')) {
          radio.checked = radio.value === view.mode;
        }
      }
    }

    syncIdle('wr-challenge-form', (form) => {
      const mode = view.challenge?.mode === 'ProofOfWork' ? 'ProofOfWork' : 'None';
      for (const radio of form.querySelectorAll('input[name="challengeMode"]')) {
        radio.checked = radio.value === mode;
      }

      if (isNumber(view.challenge?.difficulty)) {
        form.elements.difficulty.value = String(view.challenge.difficulty);
      }
    });
  };

  // A form the operator has not touched takes the values in force (once it is touched, it is theirs until sent).
  const touched = new Set();
  const syncIdle = (id, apply) => {
    const form = byId(id);
    if (form && !touched.has(id)) {
      apply(form);
    }
  };

  const renderRoutes = (routes) => {
    if (!Array.isArray(routes)) {
      return; // null: keep the last table
    }

    const body = byId('wr-routes');
    if (!body) {
      return;
    }

    const ms = (value) => (isNumber(value) ? fill(text.milliseconds, { n: decimal.format(value) }) : text.unknown);
    const rows = routes
      .slice()
      .sort((a, b) => (b.count ?? 0) - (a.count ?? 0))
      .map((route) => {
        const row = document.createElement('tr');
        const name = document.createElement('th');
        name.scope = 'row';
        name.textContent = String(route.route ?? '');
        const cells = [number.format(route.count ?? 0), decimal.format(route.ratePerSecond ?? 0), ms(route.meanMs), ms(route.p95Ms)].map((value) => {
          const cell = document.createElement('td');
          cell.className = 'wr-number';
          cell.textContent = value;
          return cell;
        });
        row.append(name, ...cells);
        return row;
      });
    body.replaceChildren(...rows);
    byId('wr-routes-empty')?.toggleAttribute('hidden', rows.length > 0);
  };

  // --- The timeline ------------------------------------------------------------------------------------------------

  const timeline = []; // newest first
  const describe = (item) => {
    switch (item.kind) {
      case 'switched':
        return fill(item.queueOn ? text.eventSwitchedOn : text.eventSwitchedOff, { reason: String(item.reason ?? '') });
      case 'operator': {
        const action = actionNames[item.action] ?? String(item.action ?? '');
        const line = fill(text.eventOperator, { operator: String(item.operator ?? ''), action });
        return item.detail ? `${line} (${item.detail})` : line;
      }
      case 'admitted':
        return fill(text.eventAdmitted, { n: number.format(item.count ?? 0) });
      case 'drawn':
        return fill(text.eventDrawn, { n: number.format(item.participants ?? 0) });
      default:
        return null;
    }
  };

  const addTimeline = (items) => {
    if (!Array.isArray(items)) {
      return;
    }

    for (const item of items) {
      if (!item || typeof item !== 'object' || timeline.some((known) => known.id === item.id)) {
        continue;
      }

      timeline.unshift(item); // the stream sends oldest first
    }

    timeline.length = Math.min(timeline.length, TIMELINE_MAX);
  };

  const renderTimeline = () => {
    const list = byId('wr-timeline');
    if (!list) {
      return;
    }

    const entries = [];
    for (const item of timeline) {
      const description = describe(item);
      if (description === null) {
        continue;
      }

      const entry = document.createElement('li');
      entry.dataset.kind = String(item.kind);
      const time = document.createElement('time');
      const at = parseTime(item.at);
      time.dateTime = at ? at.toISOString() : '';
      time.textContent = at ? clock.format(at) : text.unknown;
      const what = document.createElement('span');
      what.textContent = description;
      entry.append(time, what);
      entries.push(entry);
    }

    list.replaceChildren(...entries);
    byId('wr-timeline-empty')?.toggleAttribute('hidden', entries.length > 0);
  };

  // --- The live stream ---------------------------------------------------------------------------------------------

  const parse = (event) => {
    try {
      return JSON.parse(event.data);
    } catch {
      return null;
    }
  };

  const connect = () => {
    if (ended) {
      return;
    }

    source = new EventSource(`${roomUrl}/live`);
    source.addEventListener('hello', (event) => {
      const hello = parse(event);
      if (!hello) {
        return;
      }

      history.length = 0;
      for (const point of Array.isArray(hello.history) ? hello.history : []) {
        addPoint(point);
      }

      timeline.length = 0;
      addTimeline(hello.timeline);
      drawChart();
      summarize();
      tabulate(true);
      renderTimeline();
      setConnection('live', text.connectionLive);
    });
    source.addEventListener('tick', (event) => {
      const tick = parse(event);
      if (!tick) {
        return;
      }

      renderView(tick.view);
      addPoint(tick.point);
      drawChart();
      summarize();
      tabulate(false);
      renderRoutes(tick.routes);
      if (Array.isArray(tick.timeline) && tick.timeline.length > 0) {
        addTimeline(tick.timeline);
        renderTimeline();
      }

      setConnection('live', fill(text.updatedAt, { time: formatTime(tick.at) }));
    });
    source.addEventListener('end', (event) => {
      endSession(parse(event)?.reason);
    });
    source.addEventListener('error', () => {
      if (ended) {
        return;
      }

      setConnection('lost', text.connectionLost);
      if (source && source.readyState === EventSource.CLOSED) {
        // The stream was refused (EventSource gives up on any answer but 200): ask why with an ordinary call.
        source = null;
        checkSession().then((alive) => {
          if (alive) {
            retryTimer = setTimeout(connect, RETRY_MS);
          }
        });
      }
    });
  };

  const checkSession = async () => {
    try {
      const response = await fetch(roomUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (response.status === 401) {
        endSession('expired');
        return false;
      }
    } catch {
      // The proxy cannot be reached: try again later.
    }

    return true;
  };

  // --- The controls ------------------------------------------------------------------------------------------------

  const dialog = byId('wr-confirm');

  // Opens the confirmation with message; resolves true when the operator confirms. Esc or Cancel resolve false, and focus
  // goes back to where it was.
  const confirmChange = (message) => new Promise((resolve) => {
    if (!dialog || typeof dialog.showModal !== 'function') {
      resolve(window.confirm(message));
      return;
    }

    const opener = document.activeElement;
    setText('wr-confirm-body', message);
    dialog.returnValue = '';
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'confirm');
      if (opener instanceof HTMLElement && opener.isConnected) {
        opener.focus();
      }
    }, { once: true });
    dialog.showModal();
    byId('wr-confirm-no')?.focus();
  });

  const showError = (form, message) => {
    const error = form.querySelector('.wr-form-error');
    if (!error) {
      return;
    }

    if (message) {
      error.textContent = message;
      error.removeAttribute('hidden');
      for (const input of form.querySelectorAll('input:not([type="radio"])')) {
        input.setAttribute('aria-invalid', 'true');
      }
    } else {
      error.textContent = '';
      error.setAttribute('hidden', '');
      for (const input of form.querySelectorAll('[aria-invalid]')) {
        input.removeAttribute('aria-invalid');
      }
    }
  };

  // One call of the admin API with the session's CSRF token. Resolves to the answer's JSON, or throws an Error whose
  // message is for the operator (the problem's detail).
  const call = async (method, path, body) => {
    let response;
    try {
      response = await fetch(roomUrl + path, {
        method,
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', [CSRF_HEADER]: csrfToken },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new Error(text.errorNetwork);
    }

    if (response.status === 401) {
      endSession('expired');
      throw new Error(text.sessionEnded);
    }

    let answer = null;
    try {
      answer = response.status === 204 ? null : await response.json();
    } catch {
      answer = null;
    }

    if (!response.ok) {
      const detail = answer && typeof answer === 'object' ? answer.detail ?? answer.title : null;
      throw new Error(fill(text.errorFailed, { detail: detail ? String(detail) : String(response.status) }));
    }

    return answer;
  };

  // Reads a whole number between min and max from input; empty gives null when allowed.
  const wholeNumber = (input, min, max, allowEmpty) => {
    const raw = input.value.trim();
    if (raw === '' && allowEmpty) {
      return { ok: true, value: null };
    }

    const value = Number(raw);
    if (raw === '' || !Number.isInteger(value) || value < min || value > max) {
      return { ok: false, message: fill(text.errorNumber, { min: number.format(min), max: number.format(max) }) };
    }

    return { ok: true, value };
  };

  // datetime-local ("2026-12-01T20:00" in this browser's zone) → ISO 8601 with this browser's offset at that moment.
  const isoWithOffset = (local) => {
    const time = new Date(local);
    if (!local || Number.isNaN(time.getTime())) {
      return null;
    }

    const pad = (value) => String(Math.abs(value)).padStart(2, '0');
    const offset = -time.getTimezoneOffset();
    const sign = offset >= 0 ? '+' : '-';
    return `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}T${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}`
      + `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
  };

  // A cap control (MaxActive, the per-network cap): a whole number within its input's min and max, or empty to go back to
  // the configured value, sent as { [field]: n or null }; the answer is the room's view, whose field of the same name is
  // the cap now in force, which result(n) reports.
  const capPlan = (form, field, path, questions, result) => {
    const input = form.elements[field];
    const parsed = wholeNumber(input, Number(input.min), Number(input.max), true);
    if (!parsed.ok) {
      return { error: parsed.message };
    }

    return {
      method: 'PUT', path, body: { [field]: parsed.value },
      question: parsed.value === null ? fill(questions.reset, { room }) : fill(questions.set, { room, n: number.format(parsed.value) }),
      done: (view) => result(isNumber(view?.[field]) ? view[field] : parsed.value ?? 0),
    };
  };

  const checked = (form, name) => form.querySelector(`input[name="${name}"]:checked`)?.value ?? null;

  // Each control: from its form, either an error to show or the call to make (method, path, body), the question to ask
  // and what to announce when it is done.
  const plans = {
    mode: (form) => {
      const mode = checked(form, 'mode');
      if (!mode) {
        return { error: fill(text.errorFailed, { detail: text.modeControl }) };
      }

      const name = modeNames[mode] ?? mode;
      return {
        method: 'PUT', path: '/mode', body: { mode },
        question: fill(text.confirmMode, { room, mode: name }),
        done: fill(text.resultMode, { mode: name }),
      };
    },
    'max-active': (form) => capPlan(
      form, 'maxActive', '/max-active',
      { set: text.confirmMaxActive, reset: text.confirmMaxActiveReset },
      (n) => fill(text.resultMaxActive, { n: number.format(n) })),
    'network-cap': (form) => capPlan(
      form, 'maxPlacesPerNetwork', '/network-cap',
      { set: text.confirmNetworkCap, reset: text.confirmNetworkCapReset },
      (n) => (n > 0 ? fill(text.resultNetworkCap, { n: number.format(n) }) : text.resultNetworkCapOff)),
    challenge: (form) => {
      const mode = checked(form, 'challengeMode') ?? 'None';
      if (mode === 'None') {
        return {
          method: 'PUT', path: '/challenge', body: { mode },
          question: fill(text.confirmChallenge, { room, challenge: text.challengeNone }),
          done: text.resultChallenge,
        };
      }

      const input = form.elements.difficulty;
      const parsed = wholeNumber(input, Number(input.min), Number(input.max), false);
      if (!parsed.ok) {
        return { error: parsed.message };
      }

      return {
        method: 'PUT', path: '/challenge', body: { mode, difficulty: parsed.value },
        question: fill(text.confirmChallenge, { room, challenge: fill(text.challengeProofOfWork, { n: number.format(parsed.value) }) }),
        done: text.resultChallenge,
      };
    },
    inventory: (form, action) => {
      if (action === 'clear') {
        return {
          method: 'PUT', path: '/inventory', body: { remaining: null },
          question: fill(text.confirmInventoryClear, { room }),
          done: text.resultInventory,
        };
      }

      const parsed = wholeNumber(form.elements.remaining, 0, Number.MAX_SAFE_INTEGER, false);
      if (!parsed.ok) {
        return { error: parsed.message };
      }

      return {
        method: 'PUT', path: '/inventory', body: { remaining: parsed.value },
        question: fill(text.confirmInventory, { room, n: number.format(parsed.value) }),
        done: text.resultInventory,
      };
    },
    event: (form, action) => {
      if (action === 'cancel') {
        return {
          method: 'DELETE', path: '/event', body: undefined,
          question: fill(text.confirmEventCancel, { room }),
          done: text.resultEventCancel,
        };
      }

      const name = form.elements.name.value.trim();
      const prequeueOpensAt = isoWithOffset(form.elements.prequeueOpensAt.value);
      const startsAt = isoWithOffset(form.elements.startsAt.value);
      if (!name || !prequeueOpensAt || !startsAt) {
        return { error: text.errorEventFields };
      }

      return {
        method: 'PUT', path: '/event', body: { name, prequeueOpensAt, startsAt, order: checked(form, 'order') ?? 'Lottery' },
        question: fill(text.confirmEvent, { room, name, time: dateTime.format(new Date(startsAt)) }),
        done: text.resultEvent,
      };
    },
  };

  let busy = false;
  for (const form of document.querySelectorAll('form[data-control]')) {
    const plan = plans[form.dataset.control];
    if (!plan) {
      continue;
    }

    form.addEventListener('input', () => touched.add(form.id));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (busy || ended) {
        return;
      }

      const action = event.submitter?.value ?? null;
      const step = plan(form, action);
      if (step.error) {
        showError(form, step.error);
        announce(step.error);
        form.querySelector('[aria-invalid="true"]')?.focus();
        return;
      }

      showError(form, null);
      if (!(await confirmChange(step.question))) {
        return;
      }

      busy = true;
      form.setAttribute('aria-busy', 'true');
      announce(text.working);
      try {
        const answer = await call(step.method, step.path, step.body);
        touched.delete(form.id);
        announce(typeof step.done === 'function' ? step.done(answer) : step.done);
      } catch (error) {
        if (!ended) {
          showError(form, error.message);
          announce(error.message);
        }
      } finally {
        busy = false;
        form.removeAttribute('aria-busy');
      }
    });
  }

  // --- Start -------------------------------------------------------------------------------------------------------

  const expires = byId('wr-expires');
  const expiresAt = parseTime(data.expiresAt);
  if (expires && expiresAt) {
    expires.textContent = dateTime.format(expiresAt);
  }

  drawChart();
  if (typeof EventSource === 'function') {
    connect();
  }
})();
