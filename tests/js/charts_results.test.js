// Unit tests for static/app/charts_results.js: the scoreboard's chart
// (each trainee next to the AI) and My progress's chart (your accuracy per
// challenge next to the AI's), run in jsdom (npm test).
'use strict';

const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const { same, scriptsPage, progress, box: newBox } = require('./support');

const PAGE = scriptsPage();
const fp = PAGE.fp;
const d3Page = () => ({ box: newBox(PAGE), d3: PAGE.d3 });

describe('the scoreboard chart', () => {
  const row = (id, accuracy, rounds = 10) => ({
    user_id: id, username: `u${id}`, display_name: `User ${id}`, store: 'Central', sessions: 1,
    rounds, correct: Math.round((accuracy || 0) * rounds), accuracy, ai_accuracy: 0.9,
    wins: 0, draws: 0, losses: 1, longest_streak: 2, last_activity: null,
  });

  test('it shows players only, best first, and always the current user', () => {
    const trainees = [row(1, 0.9), row(2, 0.8), row(3, null, 0), row(4, 0.7), row(5, 0.6)];
    same(fp.charts.chart_rows(trainees, 99, 8).map((r) => r.user_id), [1, 2, 4, 5]);
    same(fp.charts.chart_rows(trainees, 5, 2).map((r) => r.user_id), [1, 5]);
    same(fp.charts.chart_rows(trainees, 3, 2).map((r) => r.user_id), [1, 2], 'no rounds, no bar');
  });

  test('scoreboard chart: paired bars, the current user marked, the AI line', () => {
    const { box, d3 } = d3Page();
    fp.charts.scoreboard_chart(box, d3, null, { current_user_id: 2 });
    assert.equal(box.querySelector('.chart_placeholder').textContent, 'Loading…');
    const board = { period: 'all', store: null, ai: { rounds: 20, accuracy: 0.95 }, trainees: [row(1, 0.9), row(2, 0.5)] };
    fp.charts.scoreboard_chart(box, d3, board, { current_user_id: 2 });
    assert.equal(box.querySelectorAll('.board_bar_row').length, 2);
    assert.equal(box.querySelectorAll('.board_bar_row.board_me').length, 1);
    assert.equal(box.querySelector('.board_me .board_name').textContent, 'User 2 (you)');
    assert.notEqual(box.querySelector('.board_ai_overall').style.display, 'none');
    fp.charts.scoreboard_chart(box, d3, { ...board, ai: { rounds: 0, accuracy: null }, trainees: [] }, { current_user_id: 2 });
    assert.equal(box.querySelectorAll('.board_bar_row').length, 0);
    assert.equal(box.querySelector('.board_ai_overall').style.display, 'none');
    assert.equal(box.querySelector('.chart_placeholder').textContent, 'No challenge rounds played yet.');
  });

  test('the scoreboard chart legend marks "you"', () => {
    const el = newBox(PAGE);
    fp.charts.scoreboard_chart(el, PAGE.d3, null, { current_user_id: 7 });
    const legend = [...el.querySelectorAll('.chart_legend text')].map((t) => t.textContent);
    assert.ok(legend.includes('You'), legend.join(', '));
  });
});

describe('the progress chart', () => {
  test('two lines, a dot per challenge, a title and a description', () => {
    const el = newBox(PAGE);
    fp.charts.progress_chart(el, PAGE.d3, progress().history, { id: 'p1' });
    const svg = el.querySelector('svg');
    assert.equal(svg.getAttribute('role'), 'img');
    assert.equal(svg.getAttribute('aria-labelledby'), 'p1_title');
    assert.equal(svg.getAttribute('aria-describedby'), 'p1_desc');
    assert.match(svg.querySelector('title').textContent, /last 3 challenges/);
    // A single challenge sits in the middle of the chart.
    const single = newBox(PAGE);
    fp.charts.progress_chart(single, PAGE.d3, progress().history.slice(0, 1), { id: 'p0' });
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
    const el = newBox(PAGE);
    fp.charts.progress_chart(el, PAGE.d3, [], { id: 'p2', empty: 'Nothing yet' });
    assert.equal(el.querySelector('.chart_placeholder').textContent, 'Nothing yet');
    assert.equal(el.querySelectorAll('.progress_dot:not(.legend_item *)').length, 0);
    fp.charts.progress_chart(el, PAGE.d3, progress().history.slice(0, 1), { id: 'p2' });
    assert.equal(el.querySelectorAll('svg').length, 1);
    assert.equal(el.querySelector('.chart_placeholder').textContent, '');
    assert.equal(el.querySelectorAll('.progress_dots_you circle').length, 1);
  });

});
