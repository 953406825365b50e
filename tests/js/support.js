// What the trainee page's unit tests share (not a test file itself): the
// page's scripts run in jsdom the way the browser runs them (plain scripts,
// in the order templates/trainee/scripts.html loads them, after a stand-in
// for Django's JavaScript catalog), a stubbed API, and payloads as the API
// contract describes them.
'use strict';

const { after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { JSDOM } = require('jsdom');

const ROOT = path.join(__dirname, '..', '..');
const read = (...parts) => fs.readFileSync(path.join(ROOT, ...parts), 'utf8');

// The page's scripts, from the template that loads them (one source for
// their order); /jsi18n/ is the catalog below, d3 the bundle the page serves.
const SCRIPT_TAGS = read('templates', 'trainee', 'scripts.html');
const STATIC_SCRIPTS = [...SCRIPT_TAGS.matchAll(/\{% static '([^']+)' %\}/g)].map((m) => m[1]);
const SOURCES = STATIC_SCRIPTS.map((name) => (name === 'vendor/d3/d3.min.js'
  ? read('node_modules', '.build', 'd3', 'd3.min.js')
  : read('static', ...name.split('/'))));
const MAIN = 'app/main.js';

// What /jsi18n/ defines, with no translations (English).
const CATALOG = `
  window.gettext = function (msgid) { return msgid; };
  window.ngettext = function (singular, plural, count) { return count == 1 ? singular : plural; };
  window.interpolate = function (fmt, obj, named) {
    if (named) return fmt.replace(/%\\(\\w+\\)s/g, function (m) { return String(obj[m.slice(2, -2)]); });
    return fmt.replace(/%s/g, function () { return String(obj.shift()); });
  };
`;

// The domain's lists as templates/home.html renders them from the Python constants.
const SETTINGS = {
  'user-id': '7', 'user-name': 'Alice', 'logout-url': '/accounts/logout/', 'csrf-token': 't',
  species: 'setosa versicolor virginica',
  features: 'sepal_length sepal_width petal_length petal_width',
  levels: 'apprentice florist botanist',
  periods: 'all 30d 7d',
};

const windows = [];
after(() => windows.forEach((w) => w.close()));

// Values made in the page's realm (its arrays and objects) compared as plain data.
const plain = (value) => JSON.parse(JSON.stringify(value));
const same = (actual, expected, message) => assert.deepEqual(plain(actual), expected, message);

// A page with the scripts loaded; with build, main.js too (the page built).
function scriptsPage({ build = false, settings = {}, before } = {}) {
  const attributes = Object.entries({ ...SETTINGS, ...settings })
    .map(([name, value]) => `data-${name}="${value}"`).join(' ');
  const dom = new JSDOM(`<!DOCTYPE html><html lang="en"><body>
    <div class="banner_mount"></div>
    <form class="lang_form"></form>
    <div class="fp_app" ${attributes}></div>
    </body></html>`, { url: 'http://127.0.0.1/', runScripts: 'outside-only', pretendToBeVisual: true });
  const window = dom.window;
  windows.push(window);
  // Reduced motion: charts draw at once, no transitions left running.
  window.matchMedia = (query) => ({ matches: /reduce/.test(query), media: query });
  window.eval(CATALOG);
  if (before) before(window);
  STATIC_SCRIPTS.forEach((name, i) => {
    if (build || name !== MAIN) window.eval(SOURCES[i]);
  });
  return window;
}

function json(body, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

// Builds the whole page (main.js) with fetch answered by `routes`:
// { 'GET /api/v1/me/progress/': body | [status, body] | (init, url) => either | Response }.
// The scoreboard, unless routed, answers 403: it stops polling.
function builtPage(routes, options = {}) {
  const calls = [];
  const window = scriptsPage({
    ...options,
    build: true,
    before(w) {
      w.fetch = async (url, init = {}) => {
        const method = (init.method || 'GET').toUpperCase();
        const key = `${method} ${String(url).split('?')[0]}`;
        calls.push({ key, url: String(url), init });
        let answer = routes[key];
        if (typeof answer === 'function') answer = answer(init, String(url));
        if (answer instanceof Response) return answer;
        if (answer === undefined) {
          if (key.startsWith('GET /api/v1/scoreboard/')) return new Response(null, { status: 403 });
          return json({ error: { code: 'not_found', message: `no route ${key}`, fields: {} } }, 404);
        }
        const [status, body] = Array.isArray(answer) && typeof answer[0] === 'number' ? answer : [200, answer];
        return json(body, status);
      };
    },
  });
  return {
    window, calls, az: window.az, fp: window.fp,
    $: (s) => window.document.querySelector(s),
    $$: (s) => [...window.document.querySelectorAll(s)],
    count: (key) => calls.filter((c) => c.key === key).length,
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

// The page built and its first requests answered.
async function openPage(routes, options) {
  const page = builtPage(routes, options);
  await settle();
  return page;
}

/* -------------------------------------------------------------------
 * Payloads as the contract describes them
 * ----------------------------------------------------------------- */

const LEVELS = [
  { level: 'apprentice', name: 'Apprentice', description: 'Looks only at the sepals.', features: ['sepal_length', 'sepal_width'], accuracy: 0.7666667, available: true },
  { level: 'florist', name: 'Florist', description: 'Looks only at the petals.', features: ['petal_length', 'petal_width'], accuracy: 0.9666667, available: true },
  { level: 'botanist', name: 'Botanist', description: 'Looks at all four measurements.', features: [], accuracy: 1.0, available: true },
];

function options(overrides = {}) {
  return { levels: LEVELS, default_level: 'apprentice', model_version: 3, max_rounds: 30, default_rounds: 10, open_session: null, ...overrides };
}

function round(index, answered, species = 'setosa', guess = species) {
  const r = { index, data: { keys: [], values: [5.1, 3.5, 1.4, 0.2] }, answered };
  if (answered) {
    r.result = { guess, correct_species: species, correct: guess === species, ai_guess: species, ai_confidence: 0.9, ai_correct: true, time_taken_ms: 1000 };
  }
  return r;
}

function session(overrides = {}) {
  return {
    id: 12, status: 'active', rounds_count: 5, answered_count: 2, score: { trainee: 1, ai: 2 },
    outcome: null, model_version: 3, level: 'florist', level_name: 'Florist',
    created_at: '2025-01-01T10:00:00Z', finished_at: null,
    rounds: [round(1, true), round(2, true, 'virginica', 'versicolor'), round(3, false), round(4, false), round(5, false)],
    ...overrides,
  };
}

const RANGES = ['setosa', 'versicolor', 'virginica'].map((species, i) => ({
  species, count: 40,
  ranges: Object.fromEntries(['sepal_length', 'sepal_width', 'petal_length', 'petal_width'].map((f, j) => [
    f, { min: 1 + i + j * 0.1, max: 2 + i + j * 0.1, mean: 1.5 + i + j * 0.1 },
  ])),
}));

const RULES = {
  train_count: 120, depth: 2,
  rules: [
    { conditions: [{ feature: 'petal_length', op: '<', value: 2.45 }], species: 'setosa', samples: 40, correct: 40 },
    { conditions: [{ feature: 'petal_length', op: '>=', value: 2.45 }, { feature: 'petal_width', op: '<', value: 1.75 }], species: 'versicolor', samples: 43, correct: 39 },
    { conditions: [{ feature: 'petal_length', op: '>=', value: 2.45 }, { feature: 'petal_width', op: '>=', value: 1.75 }], species: 'virginica', samples: 37, correct: 36 },
  ],
};

function progress(overrides = {}) {
  return {
    history: [
      { session: 3, finished_at: '2025-01-01T10:00:00Z', level: 'apprentice', level_name: 'Apprentice', rounds: 10, accuracy: 0.6, ai_accuracy: 0.8, outcome: 'loss' },
      { session: 5, finished_at: '2025-01-02T10:00:00Z', level: 'apprentice', level_name: 'Apprentice', rounds: 10, accuracy: 0.9, ai_accuracy: 0.7, outcome: 'win' },
      { session: 8, finished_at: '2025-01-03T10:00:00Z', level: 'florist', level_name: 'Florist', rounds: 5, accuracy: 0.8, ai_accuracy: null, outcome: 'draw' },
    ],
    mastery: [
      { species: 'setosa', answered: 10, correct: 10, accuracy: 1 },
      { species: 'versicolor', answered: 8, correct: 6, accuracy: 0.75 },
      { species: 'virginica', answered: 7, correct: 4, accuracy: 4 / 7 },
    ],
    confusions: [
      { species: 'versicolor', mistaken_for: 'virginica', count: 2 },
      { species: 'virginica', mistaken_for: 'versicolor', count: 3 },
    ],
    rank: { rank: 2, ranked_count: 5, score: 0.62, rounds: 25, min_rounds: 20, rounds_to_rank: 0, next: { rank: 1, display_name: 'Bob', score: 0.66, gap: 0.04 } },
    practice: { weights: { setosa: 1, versicolor: 5, virginica: 3 }, memory: 20 },
    ...overrides,
  };
}

function baseRoutes(extra = {}) {
  return {
    'GET /api/v1/challenges/options/': options(),
    'GET /api/v1/me/progress/': progress(),
    'GET /api/v1/flowers/ranges/': RANGES,
    'GET /api/v1/flowers/rules/': RULES,
    'GET /api/v1/me/': { stats: { rounds: 0 } },
    ...extra,
  };
}

// The shipped iris data set, as [sepal_length, sepal_width, petal_length, petal_width, species].
const IRIS = read('ml', 'data', 'iris.csv').trim().split('\n').slice(1).map((line) => {
  const cells = line.split(',');
  return [...cells.slice(0, 4).map(Number), cells[4]];
});

// The /api/v1/flowers/ranges/ payload over `rows`.
function rangesOf(rows) {
  const features = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
  return ['setosa', 'versicolor', 'virginica'].map((species) => {
    const mine = rows.filter((r) => r[4] === species);
    const ranges = {};
    features.forEach((f, i) => {
      ranges[f] = { min: Math.min(...mine.map((r) => r[i])), max: Math.max(...mine.map((r) => r[i])) };
    });
    return { species, count: mine.length, ranges };
  });
}

// A fresh page with azle.js alone, as createAzle(window) under Node; an
// http URL so document.cookie works.
function azlePage(options = {}) {
  const dom = new JSDOM('<!DOCTYPE html><html><body></body></html>', {
    url: 'http://localhost/',
    runScripts: options.runScripts,
  });
  windows.push(dom.window);
  const az = require(path.join(ROOT, 'static', 'azle', 'azle.js')).createAzle(dom.window);
  return { window: dom.window, document: dom.window.document, az };
}

// An element to draw a chart into, in `window`'s page.
function box(window) {
  const el = window.document.createElement('div');
  window.document.body.appendChild(el);
  return el;
}

module.exports = {
  ROOT, read, STATIC_SCRIPTS, plain, same, scriptsPage, builtPage, openPage, json, settle,
  LEVELS, options, round, session, RANGES, RULES, progress, baseRoutes, IRIS, rangesOf, box, azlePage,
};
