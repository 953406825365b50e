// Unit tests for what the sections share, static/app/common.js and
// answer.js: the page's settings and the domain's lists read from the
// template's data attributes (never copied into a script), names, number
// formats, the status line, the guess buttons and the answer in words.
'use strict';

const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const { same, scriptsPage, openPage, settle, baseRoutes, RANGES } = require('./support');

const PAGE = scriptsPage();
const fp = PAGE.fp;

describe('the page settings', () => {
  test('the user and the domain lists come from the data attributes', () => {
    same(fp.config, { user_id: 7, user_name: 'Alice', logout_url: '/accounts/logout/', csrf_token: 't' });
    same(fp.SPECIES, ['setosa', 'versicolor', 'virginica']);
    same(fp.FEATURES, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    same(fp.LEVELS, ['apprentice', 'florist', 'botanist']);
    same(fp.PERIODS, ['all', '30d', '7d']);
  });

  test('a species the server adds shows up in the guess buttons and the charts without a script change', async () => {
    const page = await openPage(baseRoutes(), { settings: { species: 'setosa versicolor virginica pallida' } });
    same(page.$$('.practice_guess').map((b) => b.dataset.species), ['setosa', 'versicolor', 'virginica', 'pallida']);
    assert.equal(page.$$('.practice_guess')[3].textContent, 'pallida', 'an unknown code reads as itself');
    same(page.$$('.compare_th').map((th) => th.textContent), ['Measurement', 'Setosa', 'Versicolor', 'Virginica', 'pallida']);
  });
});

describe('names and numbers', () => {
  test('each code has its names', () => {
    assert.equal(fp.species_name('virginica'), 'Iris virginica');
    assert.equal(fp.species_short('virginica'), 'Virginica');
    assert.equal(fp.feature_name('petal_width'), 'Petal width');
    assert.equal(fp.feature_phrase('petal_width'), 'petal width');
    assert.equal(fp.level_name('florist'), 'Florist');
    assert.equal(fp.period_name('30d'), 'Last 30 days');
    assert.equal(fp.species_name('toString'), 'toString', 'no inherited property passes for a name');
  });

  test('numbers: at most or exactly so many decimals, in the page language', () => {
    assert.equal(fp.number(2.456), '2.46');
    assert.equal(fp.number(12), '12');
    assert.equal(fp.fixed(0.7, 2), '0.70');
    assert.equal(fp.number(null), '—');
    assert.equal(fp.fixed('x'), '—');
    assert.equal(fp.percent(0.765), '77%');
    assert.equal(fp.percent(null), '—');
    assert.equal(fp.cm(5), '5.0 cm');
    const german = scriptsPage();
    german.document.documentElement.lang = 'de';
    assert.equal(german.fp.fixed(0.7, 2), '0,70');
  });

  test('ordinals', () => {
    same([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101].map(fp.ordinal),
      ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '101st']);
  });
});

describe('around an answer', () => {
  test('the guess buttons: enabled for a guess, then the guess and the answer marked', () => {
    const window = scriptsPage();
    window.az.add_element('fp_app', 1, { this_class: 'box', tag: 'div' });
    const guesses = [];
    window.fp.add_guess_buttons('box', 'g', (species) => guesses.push(species));
    const buttons = [...window.document.querySelectorAll('.g')];
    assert.equal(window.document.querySelector('.g_group').getAttribute('role'), 'group');
    assert.ok(buttons.every((b) => b.disabled));
    window.fp.set_guess_buttons('g', true);
    buttons[1].click();
    same(guesses, ['versicolor']);
    window.fp.set_guess_buttons('g', false, 'versicolor', 'virginica');
    same(buttons.map((b) => [b.disabled, b.className, b.getAttribute('aria-pressed')]), [
      [true, 'g', 'false'], [true, 'g is_chosen is_wrong', 'true'], [true, 'g is_correct', 'false'],
    ]);
  });

  test('the verdict and the AI in words', () => {
    const result = { guess: 'versicolor', correct_species: 'virginica', correct: false, ai_guess: 'virginica', ai_confidence: 0.87, ai_correct: true };
    assert.equal(fp.verdict_sentence(result), 'Not this time: it is Iris virginica, not Iris versicolor.');
    assert.equal(fp.ai_sentence(result), 'The AI said Iris virginica (87% sure): right.');
    assert.equal(fp.ai_sentence({ ...result, ai_guess: null }), 'The AI has no model yet, so it sat this one out.');
  });

  test('the ranges are asked for once for the whole page', async () => {
    const page = await openPage(baseRoutes());
    same(await page.fp.load_ranges('practice_status'), RANGES);
    assert.equal(page.count('GET /api/v1/flowers/ranges/'), 1);
  });
});

describe('the status line', () => {
  test('errors are alerts, other news is not', () => {
    const window = scriptsPage();
    window.az.add_text('fp_app', 1, { this_class: 'st', tag: 'p', text: '' });
    window.fp.status('st', 'Broken', 'error');
    assert.equal(window.document.querySelector('.st').getAttribute('role'), 'alert');
    window.fp.status('st', 'Fine');
    assert.equal(window.document.querySelector('.st').hasAttribute('role'), false);
    assert.equal(window.document.querySelector('.st').dataset.kind, 'ok');
  });

  test('a 401 or 403 says the session has ended, in the section', async () => {
    const page = await openPage(baseRoutes({ 'POST /api/v1/practice/': [403, { error: { code: 'not_authenticated', message: 'x', fields: {} } }] }));
    page.$('.practice_new').click();
    await settle();
    assert.equal(page.$('.practice_status').textContent, 'Your session has ended. Reload the page to log in again.');
    assert.equal(page.$('.practice_status').dataset.kind, 'error');
  });
});
