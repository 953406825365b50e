// Unit tests for the Training section, static/app/training.js, study.js and
// compare.js: the rules of thumb and practice weights in words, and with a
// stubbed API studying a flower, comparing the species and practising.
'use strict';

const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const { same, scriptsPage, openPage, settle, baseRoutes, RULES } = require('./support');

const PAGE = scriptsPage();
const fp = PAGE.fp;

describe('rules of thumb in words', () => {
  test('a condition is a measurement, a comparison and a number in cm', () => {
    assert.equal(fp.compare.condition_phrase({ feature: 'petal_length', op: '<', value: 2.45 }), 'petal length under 2.45 cm');
    assert.equal(fp.compare.condition_phrase({ feature: 'petal_width', op: '>=', value: 1.75 }), 'petal width 1.75 cm or more');
    assert.equal(fp.compare.condition_phrase({ feature: 'sepal_width', op: '<', value: 3 }), 'sepal width under 3 cm');
  });

  test('a rule names the species and how many training flowers it holds', () => {
    same(RULES.rules.map(fp.compare.rule_sentence), [
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
    same((fp.compare.range_cell({ min: 1, max: 1.9, mean: 1.4625 })), { mean: '1.5', range: '(1.0–1.9)' });
    same((fp.compare.range_cell({ min: 4.3, max: 5.8 })), { mean: '', range: '(4.3–5.8)' }, 'an older server sends no mean');
    same((fp.compare.range_cell(null)), { mean: '—', range: '' });
  });
});

describe('practice weights in words', () => {
  test('heaviest first', () => {
    assert.equal(fp.training.weights_sentence({ weights: { setosa: 1, versicolor: 5, virginica: 3 }, memory: 20 }),
      'Practice draws more of the species you get wrong: now Versicolor 5×, Virginica 3×, Setosa 1×.');
  });

  test('equal weights say so; ties keep the species order', () => {
    assert.match(fp.training.weights_sentence({ weights: { setosa: 1, versicolor: 1, virginica: 1 } }), /every species equally/);
    same((fp.training.weights_order({ setosa: 3, versicolor: 1, virginica: 3 }).map((w) => w.species)),
      ['setosa', 'virginica', 'versicolor']);
    assert.equal(fp.training.weights_sentence(null), 'Practice draws more of the species you get wrong.');
  });
});

describe('the training section against the API', () => {
  test('practice during a challenge shows the server\'s message and a way to the challenge', async () => {
    const message = 'The AI does not help during a challenge: finish or give up challenge #12 first.';
    const page = await openPage(baseRoutes({
      'POST /api/v1/practice/': [409, { error: { code: 'challenge_in_progress', message, fields: { session: ['12'] } } }],
    }));
    page.$('.practice_new').click();
    await settle();
    assert.equal(page.$('.practice_blocked').hidden, false);
    assert.equal(page.$('.practice_blocked_text').textContent, message);
    assert.notEqual(page.$('.practice_status').dataset.kind, 'error');
    assert.equal(page.window.document.activeElement, page.$('.practice_to_challenge'));
    page.$('.practice_to_challenge').click();
    assert.equal(page.window.document.activeElement, page.$('.challenge_section'));
    // When the challenge ends, practice is open again.
    page.az.call_wrapped_function.challenge_over();
    assert.equal(page.$('.practice_blocked').hidden, true);
    assert.equal(page.$('.practice_status').textContent, 'The challenge is over: practice is open again.');
  });

  test('a practice answer shows why, and reloads the progress', async () => {
    const page = await openPage(baseRoutes({
      'POST /api/v1/practice/': [201, { id: 4, data: { keys: [], values: [6.1, 2.8, 4.7, 1.2] } }],
      'POST /api/v1/practice/4/answer/': { correct_species: 'versicolor', guess: 'virginica', correct: false, ai_guess: 'versicolor', ai_confidence: 0.9, ai_correct: true, streak: 0, photo_url: null, photo_attribution: null },
    }));
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
    const page = await openPage(baseRoutes());
    assert.equal(page.$$('.compare_row').length, 4);
    same(page.$$('.compare_row[data-feature="petal_length"] td').map((td) => td.textContent),
      ['1.7 (1.2–2.2)', '2.7 (2.2–3.2)', '3.7 (3.2–4.2)']);
    same(page.$$('.compare_th').map((th) => th.textContent), ['Measurement', 'Setosa', 'Versicolor', 'Virginica']);
    assert.equal(page.$('.compare_table').getAttribute('aria-labelledby'), 'compare_caption');
    same(page.$$('.rule').map((li) => li.textContent), RULES.rules.map(fp.compare.rule_sentence));
    assert.match(page.$('.rules_intro').textContent, /120 training flowers/);
  });

  test('study: the photo only when the project has one, with its attribution', async () => {
    let photo = { url: '/flowers/photos/setosa/', photo_attribution: 'Jane Doe, CC BY-SA 4.0' };
    const page = await openPage(baseRoutes({
      'GET /api/v1/flowers/random/': () => ({ id: 1, name: 'setosa', data: { keys: [], values: [5.1, 3.5, 1.4, 0.2] }, ...photo }),
    }));
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
});
