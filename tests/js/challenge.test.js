// Unit tests for the Challenge section, static/app/challenge_words.js,
// challenge_view.js and challenge.js: the level picker's labels, where a
// challenge resumes, and with a stubbed API starting, resuming, answering
// and giving up.
'use strict';

const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const { same, scriptsPage, builtPage, openPage, settle, baseRoutes, LEVELS, options, round, session } = require('./support');

const PAGE = scriptsPage();
const fp = PAGE.fp;

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
    same((Object.keys(results)), ['1', '2']);
    assert.equal(results[2].correct, false);
    assert.equal(results[2].round, 2);
  });

  test('giving up reads as a loss', () => {
    assert.equal(fp.challenge.outcome_text('loss', 'abandoned'), 'You gave up: it counts as a loss.');
    assert.equal(fp.challenge.outcome_text('win', 'finished'), 'You beat the AI!');
  });
});

describe('the challenge section against the API', () => {
  test('the level picker and the rounds come from the options', async () => {
    const page = await openPage(baseRoutes());
    const radios = page.$$('.level_choice');
    same(radios.map((r) => [r.value, r.checked, r.disabled]),
      [['apprentice', true, false], ['florist', false, false], ['botanist', false, false]]);
    assert.equal(page.$(`label[for="${radios[0].id}"]`).textContent,
      'Apprentice — looks only at the sepals — right 77% of the time on the test flowers');
    const rounds = page.$('.challenge_rounds');
    assert.equal(rounds.max, '30');
    assert.equal(rounds.value, '10');
    assert.equal(page.$('.challenge_start').disabled, false);
  });

  test('starting sends the level and the rounds; too many rounds are refused before asking', async () => {
    const page = await openPage(baseRoutes({
      'POST /api/v1/challenges/': (init) => [201, { ...session({ answered_count: 0, score: { trainee: 0, ai: 0 }, rounds: [round(1, false)], rounds_count: 1, level: JSON.parse(init.body).level, level_name: 'Florist' }) }],
    }));
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
    same(JSON.parse(start.init.body), { rounds: 1, level: 'florist' });
    assert.equal(page.$('.round_opponent').textContent, 'Against the Florist');
    assert.equal(page.$('.round_title').textContent, 'Round 1 of 1');
  });

  test('an open challenge continues at its first unanswered round after a reload', async () => {
    const page = await openPage(baseRoutes({
      'GET /api/v1/challenges/options/': options({ open_session: 12 }),
      'GET /api/v1/challenges/12/': session(),
    }));
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
    const page = await openPage(baseRoutes({
      'GET /api/v1/challenges/options/': options({ open_session: 12 }),
      'GET /api/v1/challenges/12/': session(),
      'POST /api/v1/challenges/12/give-up/': session({ status: 'abandoned', outcome: 'loss', score: { trainee: 1, ai: 4 } }),
    }));
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
    same(page.$$('.summary_round').map((li) => li.dataset.you), ['right', 'wrong', 'unanswered', 'unanswered', 'unanswered']);
    // The progress is reloaded: once at the start, once after giving up.
    assert.equal(page.calls.filter((c) => c.key === 'GET /api/v1/me/progress/').length, 2);
  });

  test('a round answered: the reveal, the score, then the summary after the last one', async () => {
    const open = session({ rounds_count: 2, answered_count: 1, rounds: [round(1, true), round(2, false, 'virginica')] });
    const keys = [];
    const page = builtPage(baseRoutes({
      'GET /api/v1/challenges/options/': options({ open_session: 12 }),
      'GET /api/v1/challenges/12/': open,
      'POST /api/v1/challenges/12/rounds/2/answer/': (init) => {
        keys.push(init.headers['Idempotency-Key']);
        if (keys.length === 1) throw new TypeError('network down');
        return { round: 2, guess: 'versicolor', correct_species: 'virginica', correct: false, ai_guess: 'virginica', ai_confidence: 0.8, ai_correct: true, score: { trainee: 1, ai: 2 }, answered: 2, finished: true, outcome: 'loss' };
      },
    }));
    await settle();
    page.$('.round_guess[data-species="versicolor"]').click();
    page.$('.round_guess[data-species="setosa"]').click();  // ignored: the buttons are off while answering
    await settle();
    assert.equal(page.$$('.round_guess').filter((b) => !b.disabled).length, 3, 'after a network error, guess again');
    page.$('.round_guess[data-species="versicolor"]').click();
    await settle();
    assert.equal(keys.length, 2);
    assert.equal(keys[0], keys[1], 'the retry replays the first answer');
    assert.equal(page.$('.reveal_verdict').textContent, 'Not this time: it is Iris virginica, not Iris versicolor.');
    assert.equal(page.$('.challenge_score').textContent, 'You 1 · AI 2');
    assert.equal(page.$('.round_reveal').dataset.outcome, 'wrong');
    assert.equal(page.$$('.round_reason').length, 4);
    assert.equal(page.$('.round_next').textContent, 'See the result');
    assert.equal(page.$('.give_up').hidden, true);
    page.$('.round_next').click();
    assert.equal(page.$('.challenge_summary').hidden, false);
    assert.equal(page.$('.summary_title').textContent, 'The AI won this time.');
    same(page.$$('.summary_round').map((li) => li.textContent), [
      'Iris setosa: you and the AI were both right.', 'Iris virginica: you were wrong, the AI was right.',
    ]);
    page.$('.challenge_again').click();
    assert.equal(page.$('.challenge_setup').hidden, false);
  });
});
