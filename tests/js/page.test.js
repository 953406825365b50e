// Unit tests for the trainee page's sections (static/app/*.js): their pure
// logic (rules of thumb and practice weights in words, the level picker's
// labels, where a challenge resumes, progress sentences, the scoreboard's
// levels) and, with a stubbed API, how the sections react to it (resuming a
// challenge, practice refused during a challenge, the progress section).
// The scripts run in jsdom the way the browser runs them: plain scripts, in
// order, after a stand-in for Django's JavaScript catalog.
'use strict';

const { test, describe, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { JSDOM } = require('jsdom');

const ROOT = path.join(__dirname, '..', '..');
const read = (...parts) => fs.readFileSync(path.join(ROOT, ...parts), 'utf8');
const SCRIPTS = [
  read('node_modules', 'd3', 'dist', 'd3.min.js'),
  read('static', 'azle', 'azle.js'),
  ...['common', 'flower', 'charts', 'banner', 'compare', 'training', 'challenge', 'progress', 'scoreboard']
    .map((name) => read('static', 'app', `${name}.js`)),
];
const MAIN = read('static', 'app', 'main.js');

// What /jsi18n/ defines, with no translations (English).
const CATALOG = `
  window.gettext = function (msgid) { return msgid; };
  window.ngettext = function (singular, plural, count) { return count == 1 ? singular : plural; };
  window.interpolate = function (fmt, obj, named) {
    if (named) return fmt.replace(/%\\(\\w+\\)s/g, function (m) { return String(obj[m.slice(2, -2)]); });
    return fmt.replace(/%s/g, function () { return String(obj.shift()); });
  };
`;

// Values made in the page's realm (its arrays and objects) compared as plain data.
const plain = (value) => JSON.parse(JSON.stringify(value));

const windows = [];
after(() => windows.forEach((w) => w.close()));

// A page with every script loaded (not main.js: nothing is built yet).
function scriptsPage() {
  const dom = new JSDOM(`<!DOCTYPE html><html lang="en"><body>
    <div class="banner_mount"></div>
    <div class="fp_app" data-user-id="7" data-user-name="Alice" data-logout-url="/accounts/logout/" data-csrf-token="t"></div>
    </body></html>`, { url: 'http://127.0.0.1/', runScripts: 'outside-only', pretendToBeVisual: true });
  const window = dom.window;
  windows.push(window);
  // Reduced motion: charts draw at once, no transitions left running.
  window.matchMedia = (query) => ({ matches: /reduce/.test(query), media: query });
  window.eval(CATALOG);
  SCRIPTS.forEach((source) => window.eval(source));
  return window;
}

const PAGE = scriptsPage();
const fp = PAGE.fp;

function json(window, body, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
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

/* -------------------------------------------------------------------
 * Pure logic
 * ----------------------------------------------------------------- */

describe('rules of thumb in words', () => {
  test('a condition is a measurement, a comparison and a number in cm', () => {
    assert.equal(fp.compare.condition_phrase({ feature: 'petal_length', op: '<', value: 2.45 }), 'petal length under 2.45 cm');
    assert.equal(fp.compare.condition_phrase({ feature: 'petal_width', op: '>=', value: 1.75 }), 'petal width 1.75 cm or more');
    assert.equal(fp.compare.condition_phrase({ feature: 'sepal_width', op: '<', value: 3 }), 'sepal width under 3 cm');
  });

  test('a rule names the species and how many training flowers it holds', () => {
    assert.deepEqual(RULES.rules.map(fp.compare.rule_sentence), [
      'petal length under 2.45 cm → Iris setosa (40 of 40 training flowers)',
      'petal length 2.45 cm or more and petal width under 1.75 cm → Iris versicolor (39 of 43 training flowers)',
      'petal length 2.45 cm or more and petal width 1.75 cm or more → Iris virginica (36 of 37 training flowers)',
    ]);
  });

  test('a rule with no condition, and a single flower', () => {
    assert.equal(fp.compare.rule_sentence({ conditions: [], species: 'setosa', samples: 1, correct: 1 }),
      'any flower → Iris setosa (1 of 1 training flower)');
  });

  test('numbers follow the page language', () => {
    const window = scriptsPage();
    window.document.documentElement.lang = 'de';
    assert.equal(window.fp.compare.condition_phrase({ feature: 'petal_length', op: '<', value: 2.45 }), 'petal length under 2,45 cm');
  });

  test('the comparison cell is the average, then (smallest–largest), to a tenth of a cm', () => {
    assert.deepEqual(plain(fp.compare.range_cell({ min: 1, max: 1.9, mean: 1.4625 })), { mean: '1.5', range: '(1.0–1.9)' });
    assert.deepEqual(plain(fp.compare.range_cell({ min: 4.3, max: 5.8 })), { mean: '', range: '(4.3–5.8)' }, 'an older server sends no mean');
    assert.deepEqual(plain(fp.compare.range_cell(null)), { mean: '—', range: '' });
  });
});

describe('practice weights in words', () => {
  test('heaviest first', () => {
    assert.equal(fp.training.weights_sentence({ weights: { setosa: 1, versicolor: 5, virginica: 3 }, memory: 20 }),
      'Practice draws more of the species you get wrong: now Versicolor 5×, Virginica 3×, Setosa 1×.');
  });

  test('equal weights say so; ties keep the species order', () => {
    assert.match(fp.training.weights_sentence({ weights: { setosa: 1, versicolor: 1, virginica: 1 } }), /every species equally/);
    assert.deepEqual(plain(fp.training.weights_order({ setosa: 3, versicolor: 1, virginica: 3 }).map((w) => w.species)),
      ['setosa', 'virginica', 'versicolor']);
    assert.equal(fp.training.weights_sentence(null), 'Practice draws more of the species you get wrong.');
  });
});

describe('the level picker', () => {
  test('each level reads as name — what it looks at — how often it is right', () => {
    assert.equal(fp.challenge.level_label(LEVELS[0]),
      'Apprentice — looks only at the sepals — right 77% of the time on the test flowers');
    assert.equal(fp.challenge.level_label({ ...LEVELS[1], available: false, accuracy: null }),
      'Florist — looks only at the petals — not trained yet');
    assert.equal(fp.challenge.level_label({ ...LEVELS[2], accuracy: null }),
      'Botanist — looks at all four measurements — accuracy not measured yet');
  });

  test('a description keeps a leading acronym and scripts without case', () => {
    assert.equal(fp.challenge.description_phrase('AI trained on petals.'), 'AI trained on petals');
    assert.equal(fp.challenge.description_phrase('只看萼片。'), '只看萼片');
  });

  test('the server default is chosen when playable, else the first playable level', () => {
    assert.equal(fp.challenge.initial_level(options()), 'apprentice');
    const no_apprentice = options({ levels: [{ ...LEVELS[0], available: false }, LEVELS[1], LEVELS[2]] });
    assert.equal(fp.challenge.initial_level(no_apprentice), 'florist');
    assert.equal(fp.challenge.initial_level(options({ levels: LEVELS.map((l) => ({ ...l, available: false })) })), null);
  });
});

describe('resuming a challenge', () => {
  test('it continues at the first unanswered round', () => {
    assert.equal(fp.challenge.resume_position(session()), 2);
    assert.equal(fp.challenge.resume_position(session({ rounds: [round(1, false), round(2, false)] })), 0);
    assert.equal(fp.challenge.resume_position(session({ rounds: [round(1, true), round(2, true)] })), -1);
  });

  test('the answered rounds keep their results, by round index', () => {
    const results = fp.challenge.results_from_session(session());
    assert.deepEqual(plain(Object.keys(results)), ['1', '2']);
    assert.equal(results[2].correct, false);
    assert.equal(results[2].round, 2);
  });

  test('giving up reads as a loss', () => {
    assert.equal(fp.challenge.outcome_text('loss', 'abandoned'), 'You gave up: it counts as a loss.');
    assert.equal(fp.challenge.outcome_text('win', 'finished'), 'You beat the AI!');
  });
});

describe('progress in words', () => {
  test('confusions: the true species, what it was taken for, how often', () => {
    assert.equal(fp.progress.confusion_sentence({ species: 'virginica', mistaken_for: 'versicolor', count: 3 }),
      'You mistook Iris virginica for Iris versicolor 3 times.');
    assert.equal(fp.progress.confusion_sentence({ species: 'setosa', mistaken_for: 'virginica', count: 1 }),
      'You mistook Iris setosa for Iris virginica 1 time.');
    assert.deepEqual(plain(fp.progress.top_confusions(progress().confusions.concat([{ species: 'setosa', mistaken_for: 'virginica', count: 0 }]))
      .map((c) => c.count)), [3, 2]);
  });

  test('ordinals', () => {
    assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101].map(fp.ordinal),
      ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '101st']);
  });

  test('the rank, and the gap to the next place', () => {
    assert.equal(fp.progress.rank_sentence(progress().rank), 'You are 2nd of 5; 0.04 behind Bob.');
    assert.equal(fp.progress.rank_sentence({ ...progress().rank, rank: 1, next: null }), 'You are 1st of 5: nobody is ahead of you.');
    assert.equal(fp.progress.rank_sentence({ rank: null, ranked_count: 4, score: null, rounds: 14, min_rounds: 20, rounds_to_rank: 6, next: null }),
      'Play 6 more challenge rounds to be ranked.');
    assert.equal(fp.progress.rank_sentence({ rank: null, ranked_count: 4, score: null, rounds: 19, min_rounds: 20, rounds_to_rank: 1, next: null }),
      'Play 1 more challenge round to be ranked.');
    assert.equal(fp.progress.score_sentence(progress().rank),
      'Your score is 0.62 over 25 rounds: a cautious accuracy that grows as you play more.');
    assert.equal(fp.progress.score_sentence({ rank: null, score: 0.1, rounds: 3 }), '', 'no score before being ranked');
  });

  test('mastery: every species, in order, with no answer shown as none', () => {
    const rows = fp.progress.mastery_rows([{ species: 'virginica', answered: 4, correct: 1, accuracy: 0.25 }]);
    assert.deepEqual(plain(rows.map((r) => [r.species, r.answered, r.accuracy])),
      [['setosa', 0, null], ['versicolor', 0, null], ['virginica', 4, 0.25]]);
  });

  test('the history in one sentence', () => {
    assert.equal(fp.progress.history_summary([]), 'Play a challenge to see your accuracy here.');
    assert.equal(fp.progress.history_summary(progress().history),
      'Over your last 3 challenges you went from 60% to 80% right, and won 1 of them.');
  });
});

describe('the scoreboard', () => {
  test('wins per level, compact, only the levels played', () => {
    const levels = {
      apprentice: { sessions: 3, wins: 2, draws: 0, losses: 1 },
      florist: { sessions: 0, wins: 0, draws: 0, losses: 0 },
      botanist: { sessions: 1, wins: 0, draws: 1, losses: 0 },
    };
    assert.equal(fp.scoreboard.levels_text(levels), 'Apprentice 2/3 · Botanist 0/1');
    assert.equal(fp.scoreboard.levels_description(levels), 'Apprentice: 2 won, 0 drawn, 1 lost; Botanist: 0 won, 1 drawn, 0 lost');
    assert.equal(fp.scoreboard.levels_text({}), '—');
  });

  test('the score note names the minimum', () => {
    assert.match(fp.scoreboard.score_note({ min_rounds: 20 }), /cautious accuracy that grows with the rounds played\. At least 20 rounds to be ranked\./);
  });

  test('an unranked row gives its reason where the score would be', () => {
    PAGE.fp.config.user_id = 7;
    const row = { user_id: 8, username: 'bob', display_name: 'Bob', rank: null, ranked: false, score: null, unranked_reason: 'Needs 6 more rounds.' };
    assert.equal(fp.scoreboard.cell_text('score', row), 'Needs 6 more rounds.');
    assert.equal(fp.scoreboard.cell_text('rank', row), '—');
    assert.equal(fp.scoreboard.cell_text('score', { ...row, ranked: true, rank: 1, score: 0.7 }), '0.70');
  });
});

/* -------------------------------------------------------------------
 * Charts
 * ----------------------------------------------------------------- */

describe('the progress chart', () => {
  function box() {
    const el = PAGE.document.createElement('div');
    PAGE.document.body.appendChild(el);
    return el;
  }

  test('two lines, a dot per challenge, a title and a description', () => {
    const el = box();
    PAGE.fp.charts.progress_chart(el, PAGE.d3, progress().history, { id: 'p1' });
    const svg = el.querySelector('svg');
    assert.equal(svg.getAttribute('role'), 'img');
    assert.equal(svg.getAttribute('aria-labelledby'), 'p1_title');
    assert.equal(svg.getAttribute('aria-describedby'), 'p1_desc');
    assert.match(svg.querySelector('title').textContent, /last 3 challenges/);
    // A single challenge sits in the middle of the chart.
    const single = box();
    PAGE.fp.charts.progress_chart(single, PAGE.d3, progress().history.slice(0, 1), { id: 'p0' });
    const cx = Number(single.querySelector('.progress_dots_you circle').getAttribute('cx'));
    assert.ok(Math.abs(cx - (44 + 544) / 2) < 1, `one dot at ${cx}`);
    assert.match(single.querySelector('title').textContent, /your 1 challenge so far/);
    assert.match(svg.querySelector('desc').textContent, /Challenge 2 against the Apprentice: you 90%, the AI 70%\./);
    assert.match(svg.querySelector('desc').textContent, /Challenge 3 against the Florist: you 80%, the AI —\./);
    assert.ok(svg.querySelector('path.progress_you').getAttribute('d').startsWith('M'));
    assert.equal(svg.querySelectorAll('.progress_dots_you circle').length, 3);
    assert.equal(svg.querySelectorAll('.progress_dots_ai circle').length, 2, 'no AI dot where it had no accuracy');
    assert.equal(svg.querySelectorAll('.chart_legend .legend_item').length, 2);
    // Higher accuracy is drawn higher up.
    const ys = [...svg.querySelectorAll('.progress_dots_you circle')].map((c) => Number(c.getAttribute('cy')));
    assert.ok(ys[1] < ys[0] && ys[1] < ys[2]);
  });

  test('an empty history says so, and redraws in place', () => {
    const el = box();
    PAGE.fp.charts.progress_chart(el, PAGE.d3, [], { id: 'p2', empty: 'Nothing yet' });
    assert.equal(el.querySelector('.chart_placeholder').textContent, 'Nothing yet');
    assert.equal(el.querySelectorAll('.progress_dot:not(.legend_item *)').length, 0);
    PAGE.fp.charts.progress_chart(el, PAGE.d3, progress().history.slice(0, 1), { id: 'p2' });
    assert.equal(el.querySelectorAll('svg').length, 1);
    assert.equal(el.querySelector('.chart_placeholder').textContent, '');
    assert.equal(el.querySelectorAll('.progress_dots_you circle').length, 1);
  });

  test('the species comparison: three bands and an average per measurement', () => {
    const el = box();
    const rows = PAGE.fp.charts.comparison_chart(el, PAGE.d3, RANGES, { id: 'c1' });
    assert.equal(rows.length, 4);
    assert.equal(el.querySelectorAll('.compare_strip').length, 4);
    assert.equal(el.querySelectorAll('.compare_bands rect').length, 12);
    assert.equal(el.querySelectorAll('.compare_bands line.compare_mean').length, 12);
    assert.match(el.querySelector('desc').textContent, /Sepal length: Setosa 1\.0 to 2\.0 cm/);
  });

  test('the scoreboard chart legend marks "you"', () => {
    const el = box();
    PAGE.fp.charts.scoreboard_chart(el, PAGE.d3, null, { current_user_id: 7 });
    const legend = [...el.querySelectorAll('.chart_legend text')].map((t) => t.textContent);
    assert.ok(legend.includes('You'), legend.join(', '));
  });
});

/* -------------------------------------------------------------------
 * Sections against a stubbed API
 * ----------------------------------------------------------------- */

// Builds the whole page (main.js) with fetch answered by `routes`:
// { 'GET /api/v1/me/progress/': body | [status, body] | (init) => either }.
function builtPage(routes) {
  const window = scriptsPage();
  const calls = [];
  window.fetch = async (url, init = {}) => {
    const method = (init.method || 'GET').toUpperCase();
    const key = `${method} ${String(url).split('?')[0]}`;
    calls.push({ key, init });
    let answer = routes[key];
    if (typeof answer === 'function') answer = answer(init);
    if (answer === undefined) {
      if (key.startsWith('GET /api/v1/scoreboard/')) return new Response(null, { status: 403 });
      return json(window, { error: { code: 'not_found', message: `no route ${key}`, fields: {} } }, 404);
    }
    const [status, body] = Array.isArray(answer) && typeof answer[0] === 'number' ? answer : [200, answer];
    return json(window, body, status);
  };
  window.eval(MAIN);
  return { window, calls, az: window.az, fp: window.fp, $: (s) => window.document.querySelector(s), $$: (s) => [...window.document.querySelectorAll(s)] };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

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

describe('the page against the API', () => {
  test('the banner has a button per section, My progress included', async () => {
    const page = builtPage(baseRoutes());
    await settle();
    assert.deepEqual(page.$$('.nav_button').map((b) => b.textContent), ['Training', 'Challenge', 'My progress', 'Scoreboard']);
    assert.ok(page.$('.progress_section[aria-labelledby="progress_title"]'));
  });

  test('the level picker and the rounds come from the options', async () => {
    const page = builtPage(baseRoutes());
    await settle();
    const radios = page.$$('.level_choice');
    assert.deepEqual(radios.map((r) => [r.value, r.checked, r.disabled]),
      [['apprentice', true, false], ['florist', false, false], ['botanist', false, false]]);
    assert.equal(page.$(`label[for="${radios[0].id}"]`).textContent,
      'Apprentice — looks only at the sepals — right 77% of the time on the test flowers');
    const rounds = page.$('.challenge_rounds');
    assert.equal(rounds.max, '30');
    assert.equal(rounds.value, '10');
    assert.equal(page.$('.challenge_start').disabled, false);
  });

  test('starting sends the level and the rounds; too many rounds are refused before asking', async () => {
    const page = builtPage(baseRoutes({
      'POST /api/v1/challenges/': (init) => [201, { ...session({ answered_count: 0, score: { trainee: 0, ai: 0 }, rounds: [round(1, false)], rounds_count: 1, level: JSON.parse(init.body).level, level_name: 'Florist' }) }],
    }));
    await settle();
    page.$('.challenge_rounds').value = '31';
    page.$('.challenge_start').click();
    await settle();
    assert.match(page.$('.challenge_status').textContent, /from 1 to 30/);
    assert.equal(page.calls.filter((c) => c.key === 'POST /api/v1/challenges/').length, 0);

    page.$$('.level_choice')[1].checked = true;
    page.$('.challenge_rounds').value = '1';
    page.$('.challenge_start').click();
    await settle();
    const start = page.calls.find((c) => c.key === 'POST /api/v1/challenges/');
    assert.deepEqual(JSON.parse(start.init.body), { rounds: 1, level: 'florist' });
    assert.equal(page.$('.round_opponent').textContent, 'Against the Florist');
    assert.equal(page.$('.round_title').textContent, 'Round 1 of 1');
  });

  test('an open challenge continues at its first unanswered round after a reload', async () => {
    const page = builtPage(baseRoutes({
      'GET /api/v1/challenges/options/': options({ open_session: 12 }),
      'GET /api/v1/challenges/12/': session(),
    }));
    await settle();
    assert.equal(page.$('.challenge_setup').hidden, true);
    assert.equal(page.$('.challenge_play').hidden, false);
    assert.equal(page.$('.challenge_note').textContent, 'Welcome back: your challenge continues at round 3.');
    assert.equal(page.$('.round_title').textContent, 'Round 3 of 5');
    assert.equal(page.$('.challenge_score').textContent, 'You 1 · AI 2');
    assert.equal(page.$('.round_progress').value, 2);
    assert.equal(page.$('.round_opponent').textContent, 'Against the Florist');
    assert.equal(page.$$('.round_guess').filter((b) => !b.disabled).length, 3);
  });

  test('giving up asks first, then shows the loss with the unanswered rounds', async () => {
    const page = builtPage(baseRoutes({
      'GET /api/v1/challenges/options/': options({ open_session: 12 }),
      'GET /api/v1/challenges/12/': session(),
      'POST /api/v1/challenges/12/give-up/': session({ status: 'abandoned', outcome: 'loss', score: { trainee: 1, ai: 4 } }),
    }));
    await settle();
    page.$('.give_up').click();
    assert.equal(page.$('.give_up_confirm').hidden, false);
    assert.equal(page.window.document.activeElement, page.$('.give_up_no'), 'the safe answer has focus');
    page.$('.give_up_no').click();
    assert.equal(page.$('.give_up_confirm').hidden, true);
    assert.equal(page.calls.filter((c) => c.key.endsWith('/give-up/')).length, 0);

    page.$('.give_up').click();
    page.$('.give_up_yes').click();
    await settle();
    assert.equal(page.calls.filter((c) => c.key === 'POST /api/v1/challenges/12/give-up/').length, 1);
    assert.equal(page.$('.challenge_summary').hidden, false);
    assert.equal(page.$('.summary_title').textContent, 'You gave up: it counts as a loss.');
    assert.equal(page.$('.summary_level').textContent, 'You played against the Florist.');
    assert.equal(page.$('.summary_score').textContent,
      'You gave up after 2 of 5 rounds (you 1, the AI 4); the rounds left count as wrong for you.');
    assert.deepEqual(page.$$('.summary_round').map((li) => li.dataset.you), ['right', 'wrong', 'unanswered', 'unanswered', 'unanswered']);
    // The progress is reloaded: once at the start, once after giving up.
    assert.equal(page.calls.filter((c) => c.key === 'GET /api/v1/me/progress/').length, 2);
  });

  test('practice during a challenge shows the server\'s message and a way to the challenge', async () => {
    const message = 'The AI does not help during a challenge: finish or give up challenge #12 first.';
    const page = builtPage(baseRoutes({
      'POST /api/v1/practice/': [409, { error: { code: 'challenge_in_progress', message, fields: { session: ['12'] } } }],
    }));
    await settle();
    page.$('.practice_new').click();
    await settle();
    assert.equal(page.$('.practice_blocked').hidden, false);
    assert.equal(page.$('.practice_blocked_text').textContent, message);
    assert.notEqual(page.$('.practice_status').dataset.kind, 'error');
    assert.equal(page.window.document.activeElement, page.$('.practice_to_challenge'));
    page.$('.practice_to_challenge').click();
    assert.equal(page.window.document.activeElement, page.$('.challenge_section'));
  });

  test('a practice answer shows why, and reloads the progress', async () => {
    const page = builtPage(baseRoutes({
      'POST /api/v1/practice/': [201, { id: 4, data: { keys: [], values: [6.1, 2.8, 4.7, 1.2] } }],
      'POST /api/v1/practice/4/answer/': { correct_species: 'versicolor', guess: 'virginica', correct: false, ai_guess: 'versicolor', ai_confidence: 0.9, ai_correct: true, streak: 0, photo_url: null, photo_attribution: null },
    }));
    await settle();
    assert.equal(page.$('.practice_why').hidden, true);
    assert.equal(page.$('.practice_weights').textContent,
      'Practice draws more of the species you get wrong: now Versicolor 5×, Virginica 3×, Setosa 1×.');
    page.$('.practice_new').click();
    await settle();
    page.$('.practice_guess[data-species="virginica"]').click();
    await settle();
    assert.equal(page.$('.practice_why').hidden, false);
    assert.equal(page.$$('.practice_ranges .strip_row').length, 4);
    assert.equal(page.$$('.practice_reason').length, 4);
    assert.equal(page.calls.filter((c) => c.key === 'GET /api/v1/me/progress/').length, 2);
  });

  test('study: the comparison table and the rules of thumb', async () => {
    const page = builtPage(baseRoutes());
    await settle();
    assert.equal(page.$$('.compare_row').length, 4);
    assert.deepEqual(page.$$('.compare_row[data-feature="petal_length"] td').map((td) => td.textContent),
      ['1.7 (1.2–2.2)', '2.7 (2.2–3.2)', '3.7 (3.2–4.2)']);
    assert.deepEqual(page.$$('.compare_th').map((th) => th.textContent), ['Measurement', 'Setosa', 'Versicolor', 'Virginica']);
    assert.equal(page.$('.compare_table').getAttribute('aria-labelledby'), 'compare_caption');
    assert.deepEqual(page.$$('.rule').map((li) => li.textContent), RULES.rules.map(fp.compare.rule_sentence));
    assert.match(page.$('.rules_intro').textContent, /120 training flowers/);
  });

  test('study: the photo only when the project has one, with its attribution', async () => {
    let photo = { url: '/flowers/photos/setosa/', photo_attribution: 'Jane Doe, CC BY-SA 4.0' };
    const page = builtPage(baseRoutes({
      'GET /api/v1/flowers/random/': () => ({ id: 1, name: 'setosa', data: { keys: [], values: [5.1, 3.5, 1.4, 0.2] }, ...photo }),
    }));
    await settle();
    page.$('.show_iris').click();
    await settle();
    assert.equal(page.$('.study_photo').getAttribute('src'), '/flowers/photos/setosa/');
    assert.equal(page.$('.photo_attribution').textContent, 'Photo: Jane Doe, CC BY-SA 4.0');
    assert.ok(!page.$('.picture_pane').classList.contains('no_photo'));

    photo = { url: null, photo_attribution: null };
    page.$('.show_iris').click();
    await settle();
    assert.equal(page.$$('.study_photo').length, 0, 'no <img>: nothing to show broken');
    assert.ok(page.$('.picture_pane').classList.contains('no_photo'));
    assert.equal(page.$$('.study_flower .flower_petal').length, 3);
  });

  test('the scoreboard: ranked trainees by rank, then the unranked under their own heading', async () => {
    const levels = (apprentice, botanist) => ({
      apprentice: { sessions: apprentice, wins: apprentice, draws: 0, losses: 0 },
      florist: { sessions: 0, wins: 0, draws: 0, losses: 0 },
      botanist: { sessions: botanist, wins: 0, draws: 0, losses: botanist },
    });
    const row = (id, name, rank, score, rounds, reason, lv) => ({
      user_id: id, username: name.toLowerCase(), display_name: name, store: 'Central', sessions: 2, rounds,
      correct: Math.round(rounds * 0.8), accuracy: 0.8, ai_accuracy: 0.9, wins: 1, draws: 0, losses: 1,
      longest_streak: 3, last_activity: null, rank, ranked: rank !== null, score,
      rounds_to_rank: rank !== null ? 0 : 20 - rounds, unranked_reason: reason, levels: lv,
    });
    const board = {
      period: 'all', store: null, min_rounds: 20, ai: { rounds: 80, accuracy: 0.9 },
      trainees: [
        row(8, 'Bob', 1, 0.71, 40, null, levels(1, 1)),
        row(7, 'Alice', 2, 0.66, 30, null, levels(1, 0)),
        row(9, 'Carol', null, 0.3, 6, '14 more challenge rounds to be ranked', levels(0, 1)),
      ],
    };
    const page = builtPage(baseRoutes({ 'GET /api/v1/scoreboard/': board }));
    await settle();
    const rows = page.$$('.board_body tr');
    assert.deepEqual(rows.map((tr) => tr.className), ['board_row', 'board_row', 'board_group', 'board_row']);
    const cells = (tr, column) => tr.querySelector(`[data-column="${column}"]`).textContent;
    assert.deepEqual([rows[0], rows[1], rows[3]].map((tr) => [cells(tr, 'rank'), cells(tr, 'name'), cells(tr, 'score')]), [
      ['1', 'Bob', '0.71'], ['2', 'Alice (you)', '0.66'], ['—', 'Carol', '14 more challenge rounds to be ranked'],
    ]);
    assert.equal(rows[2].textContent, 'Not ranked yet');
    assert.equal(rows[1].getAttribute('aria-current'), 'true');
    assert.equal(cells(rows[0], 'levels'), 'Apprentice 1/1 · Botanist 0/1');
    assert.equal(rows[0].querySelector('[data-column="levels"]').title, 'Apprentice: 1 won, 0 drawn, 0 lost; Botanist: 0 won, 0 drawn, 1 lost');
    assert.match(page.$('.board_note').textContent, /At least 20 rounds to be ranked\./);
  });

  test('the progress section: chart, mastery, mix-ups, rank', async () => {
    const page = builtPage(baseRoutes());
    await settle();
    assert.equal(page.$$('.progress_chart .progress_dots_you circle').length, 3);
    assert.deepEqual(page.$$('.mastery_row .mastery_value').map((s) => s.textContent),
      ['100% (10 of 10)', '75% (6 of 8)', '57% (4 of 7)']);
    assert.equal(page.$('.mastery_row[data-species="versicolor"] .mastery_bar').style.width, '75%');
    assert.deepEqual(page.$$('.confusion').map((li) => li.textContent), [
      'You mistook Iris virginica for Iris versicolor 3 times.',
      'You mistook Iris versicolor for Iris virginica 2 times.',
    ]);
    assert.equal(page.$('.progress_rank').textContent, 'You are 2nd of 5; 0.04 behind Bob.');
  });

  test('the progress section before any answer', async () => {
    const page = builtPage(baseRoutes({
      'GET /api/v1/me/progress/': progress({
        history: [], confusions: [],
        mastery: ['setosa', 'versicolor', 'virginica'].map((species) => ({ species, answered: 0, correct: 0, accuracy: null })),
        rank: { rank: null, ranked_count: 0, score: null, rounds: 0, min_rounds: 20, rounds_to_rank: 20, next: null },
        practice: { weights: { setosa: 1, versicolor: 1, virginica: 1 }, memory: 20 },
      }),
    }));
    await settle();
    assert.equal(page.$('.progress_chart .chart_placeholder').textContent, 'No finished challenge yet.');
    assert.equal(page.$('.progress_history_summary').textContent, 'Play a challenge to see your accuracy here.');
    assert.deepEqual(page.$$('.mastery_value').map((s) => s.textContent), ['—', '—', '—']);
    assert.equal(page.$('.confusion_none').textContent, 'No answers yet.');
    assert.equal(page.$('.progress_rank').textContent, 'Play 20 more challenge rounds to be ranked.');
  });
});
