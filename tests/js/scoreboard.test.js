// Unit tests for the Scoreboard section, static/app/scoreboard_table.js and
// scoreboard.js: wins per opponent and the score in words, and with a
// stubbed API the table, the period menu and the live polling.
'use strict';

const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const { same, scriptsPage, builtPage, openPage, settle, baseRoutes } = require('./support');

const PAGE = scriptsPage();
const fp = PAGE.fp;

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

describe('the scoreboard section against the API', () => {
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
    const page = await openPage(baseRoutes({ 'GET /api/v1/scoreboard/': board }));
    const rows = page.$$('.board_body tr');
    same(rows.map((tr) => tr.className), ['board_row', 'board_row', 'board_group', 'board_row']);
    const cells = (tr, column) => tr.querySelector(`[data-column="${column}"]`).textContent;
    same([rows[0], rows[1], rows[3]].map((tr) => [cells(tr, 'rank'), cells(tr, 'name'), cells(tr, 'score')]), [
      ['1', 'Bob', '0.71'], ['2', 'Alice (you)', '0.66'], ['—', 'Carol', '14 more challenge rounds to be ranked'],
    ]);
    assert.equal(rows[2].textContent, 'Not ranked yet');
    assert.equal(rows[1].getAttribute('aria-current'), 'true');
    assert.equal(cells(rows[0], 'levels'), 'Apprentice 1/1 · Botanist 0/1');
    assert.equal(rows[0].querySelector('[data-column="levels"]').title, 'Apprentice: 1 won, 0 drawn, 0 lost; Botanist: 0 won, 0 drawn, 1 lost');
    assert.match(page.$('.board_note').textContent, /At least 20 rounds to be ranked\./);
  });

  test('the period menu lists the server\'s periods; a change asks for that period', async () => {
    const board = { period: 'all', store: null, min_rounds: 20, ai: { rounds: 0, accuracy: null }, trainees: [] };
    const page = await openPage(baseRoutes({ 'GET /api/v1/scoreboard/': board }), { settings: { periods: 'all 7d' } });
    same(page.$$('.board_period option').map((o) => [o.value, o.textContent]), [['all', 'All time'], ['7d', 'Last 7 days']]);
    assert.equal(page.$('.board_body').textContent, 'No trainees yet.');
    page.$('.board_period').value = '7d';
    page.$('.board_period').dispatchEvent(new page.window.Event('change'));
    await settle();
    assert.equal(page.calls.filter((c) => c.key === 'GET /api/v1/scoreboard/').at(-1).url, '/api/v1/scoreboard/?period=7d');
  });

  test('an unchanged board (304) keeps the table; the ETag is sent back', async () => {
    let polls = 0;
    const board = { period: 'all', store: null, min_rounds: 20, ai: { rounds: 1, accuracy: 1 }, trainees: [] };
    const page = builtPage(baseRoutes({
      'GET /api/v1/scoreboard/': () => {
        polls += 1;
        if (polls === 1) return new Response(JSON.stringify(board), { status: 200, headers: { 'Content-Type': 'application/json', ETag: '"v1"' } });
        return new Response(null, { status: 304 });
      },
    }));
    await settle();
    page.az.call_wrapped_function.refresh_scoreboard();
    await settle();
    const polled = page.calls.filter((c) => c.key === 'GET /api/v1/scoreboard/');
    assert.equal(polled.length, 2);
    assert.equal(polled[1].init.headers['If-None-Match'], '"v1"');
    assert.equal(page.$('.board_ai').textContent, 'The AI got 100% of 1 round right.');
    assert.match(page.$('.board_status').textContent, /^Live: updated at /);
    assert.equal(page.count('GET /api/v1/me/'), 1, 'no change, no new stats');
  });

  test('a failed poll says so and keeps polling', async () => {
    const page = await openPage(baseRoutes({ 'GET /api/v1/scoreboard/': [500, { error: { code: 'server_error', message: 'Try again later.', fields: {} } }] }));
    assert.equal(page.$('.board_status').textContent, 'Try again later.');
    assert.equal(page.$('.board_status').getAttribute('role'), 'alert');
  });
});
