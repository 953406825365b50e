// Unit tests for the My progress section, static/app/progress.js: its
// sentences, and with a stubbed API the chart, mastery, mix-ups and rank.
'use strict';

const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const { same, scriptsPage, openPage, baseRoutes, progress } = require('./support');

const PAGE = scriptsPage();
const fp = PAGE.fp;

describe('progress in words', () => {
  test('confusions: the true species, what it was taken for, how often', () => {
    assert.equal(fp.progress.confusion_sentence({ species: 'virginica', mistaken_for: 'versicolor', count: 3 }),
      'You mistook Iris virginica for Iris versicolor 3 times.');
    assert.equal(fp.progress.confusion_sentence({ species: 'setosa', mistaken_for: 'virginica', count: 1 }),
      'You mistook Iris setosa for Iris virginica 1 time.');
    same((fp.progress.top_confusions(progress().confusions.concat([{ species: 'setosa', mistaken_for: 'virginica', count: 0 }]))
      .map((c) => c.count)), [3, 2]);
  });

  test('ordinals', () => {
    same([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101].map(fp.ordinal),
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
    same((rows.map((r) => [r.species, r.answered, r.accuracy])),
      [['setosa', 0, null], ['versicolor', 0, null], ['virginica', 4, 0.25]]);
  });

  test('the history in one sentence', () => {
    assert.equal(fp.progress.history_summary([]), 'Play a challenge to see your accuracy here.');
    assert.equal(fp.progress.history_summary(progress().history),
      'Over your last 3 challenges you went from 60% to 80% right, and won 1 of them.');
  });
});

describe('the progress section against the API', () => {
  test('the progress section: chart, mastery, mix-ups, rank', async () => {
    const page = await openPage(baseRoutes());
    assert.equal(page.$$('.progress_chart .progress_dots_you circle').length, 3);
    same(page.$$('.mastery_row .mastery_value').map((s) => s.textContent),
      ['100% (10 of 10)', '75% (6 of 8)', '57% (4 of 7)']);
    assert.equal(page.$('.mastery_row[data-species="versicolor"] .mastery_bar').style.width, '75%');
    same(page.$$('.confusion').map((li) => li.textContent), [
      'You mistook Iris virginica for Iris versicolor 3 times.',
      'You mistook Iris versicolor for Iris virginica 2 times.',
    ]);
    assert.equal(page.$('.progress_rank').textContent, 'You are 2nd of 5; 0.04 behind Bob.');
  });

  test('the progress section before any answer', async () => {
    const page = await openPage(baseRoutes({
      'GET /api/v1/me/progress/': progress({
        history: [], confusions: [],
        mastery: ['setosa', 'versicolor', 'virginica'].map((species) => ({ species, answered: 0, correct: 0, accuracy: null })),
        rank: { rank: null, ranked_count: 0, score: null, rounds: 0, min_rounds: 20, rounds_to_rank: 20, next: null },
        practice: { weights: { setosa: 1, versicolor: 1, virginica: 1 }, memory: 20 },
      }),
    }));
    assert.equal(page.$('.progress_chart .chart_placeholder').textContent, 'No finished challenge yet.');
    assert.equal(page.$('.progress_history_summary').textContent, 'Play a challenge to see your accuracy here.');
    same(page.$$('.mastery_value').map((s) => s.textContent), ['—', '—', '—']);
    assert.equal(page.$('.confusion_none').textContent, 'No answers yet.');
    assert.equal(page.$('.progress_rank').textContent, 'Play 20 more challenge rounds to be ranked.');
  });
});
