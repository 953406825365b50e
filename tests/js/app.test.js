// Unit tests for the trainee page's pure logic and drawing: static/app/flower.js
// (the flower drawn to scale) and static/app/charts.js (range placement, the
// scoreboard's rows, the D3 charts), run with `npm test` (node --test tests/js/).
'use strict';

const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { JSDOM } = require('jsdom');

const ROOT = path.join(__dirname, '..', '..');
const flower = require(path.join(ROOT, 'static', 'app', 'flower.js'));
const charts = require(path.join(ROOT, 'static', 'app', 'charts.js'));
const D3_SOURCE = fs.readFileSync(path.join(ROOT, 'node_modules', 'd3', 'dist', 'd3.min.js'), 'utf8');

// The shipped iris data set, as [sepal_length, sepal_width, petal_length, petal_width, species].
const IRIS = fs.readFileSync(path.join(ROOT, 'ml', 'data', 'iris.csv'), 'utf8')
  .trim().split('\n').slice(1).map((line) => {
    const cells = line.split(',');
    return [...cells.slice(0, 4).map(Number), cells[4]];
  });

// The /api/v1/flowers/ranges/ payload, over the whole data set.
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

// A page with d3 loaded the way the browser loads it (a plain script).
function d3Page() {
  const dom = new JSDOM('<!DOCTYPE html><body><div id="box"></div></body>', { runScripts: 'outside-only' });
  dom.window.eval(D3_SOURCE);
  return { window: dom.window, box: dom.window.document.getElementById('box'), d3: dom.window.d3 };
}

// Samples a cubic Bezier side of a leaf path: "M0,0C a,y1 a,y2 0,-l ...".
function leafHalfWidth(pathText) {
  const [a] = pathText.slice(pathText.indexOf('C') + 1).split(/[ ,]/).map(Number);
  let widest = 0;
  for (let t = 0; t <= 1; t += 0.001) widest = Math.max(widest, 3 * a * t * (1 - t));
  return widest;
}

describe('the drawn flower', () => {
  test('three sepals and three petals, alternating, 120 degrees apart', () => {
    const g = flower.flower_geometry([5.1, 3.5, 1.4, 0.2]);
    assert.deepEqual(g.sepals.map((p) => p.angle).sort((a, b) => a - b), [60, 180, 300]);
    assert.deepEqual(g.petals.map((p) => p.angle).sort((a, b) => a - b), [0, 120, 240]);
  });

  test('lengths and widths are the measurements at one fixed scale', () => {
    const g = flower.flower_geometry([6.3, 3.3, 6.0, 2.5]);
    for (const sepal of g.sepals) {
      assert.equal(sepal.length_px, 6.3 * flower.SCALE);
      assert.equal(sepal.width_px, 3.3 * flower.SCALE);
    }
    for (const petal of g.petals) {
      assert.equal(petal.length_px, 6.0 * flower.SCALE);
      assert.equal(petal.width_px, 2.5 * flower.SCALE);
    }
  });

  test('long narrow petals look long and narrow next to short ones', () => {
    const virginica = flower.flower_geometry([7.7, 2.6, 6.9, 2.3]).petals[0];
    const setosa = flower.flower_geometry([4.3, 3.0, 1.1, 0.1]).petals[0];
    assert.ok(virginica.length_px / setosa.length_px > 6);
    assert.ok(setosa.length_px / setosa.width_px > 5, 'a 1.1 x 0.1 cm petal is drawn narrow');
  });

  test('a leaf path is exactly as wide as the part', () => {
    for (const width of [1.5, 14, 30.8, 61.6]) {
      assert.ok(Math.abs(2 * leafHalfWidth(flower.leaf_path(100, width)) - width) < 0.05, `width ${width}`);
    }
  });

  test('a tiny petal still shows as a line', () => {
    const petal = flower.flower_geometry([5, 3, 1, 0.05]).petals[0];
    assert.ok(petal.width_px >= 1.5);
  });

  test('every flower of the data set fits inside the drawing', () => {
    for (const row of IRIS) {
      const g = flower.flower_geometry(row.slice(0, 4));
      for (const part of [...g.sepals, ...g.petals]) {
        const { tip, half_width } = flower.part_extent(part);
        for (const coordinate of [tip.x, tip.y]) {
          assert.ok(coordinate - half_width >= 0 && coordinate + half_width <= flower.SIZE,
            `${row} ${part.kind} at ${part.angle} reaches ${coordinate}`);
        }
      }
    }
  });

  test('bad measurements are refused', () => {
    assert.throws(() => flower.flower_geometry([5, 3, 1]), /values must be/);
    assert.throws(() => flower.flower_geometry([5, 3, 1, -1]), /non-negative/);
    assert.throws(() => flower.flower_geometry([5, 3, 1, 'x']), /non-negative/);
  });

  test('draw_flower draws the parts, describes them, and redraws in place', () => {
    const { box, d3 } = d3Page();
    flower.draw_flower(box, d3, null, { placeholder: 'Press the button' });
    assert.equal(box.querySelectorAll('path').length, 0);
    assert.equal(box.querySelector('.flower_placeholder').textContent, 'Press the button');

    flower.draw_flower(box, d3, [5.1, 3.5, 1.4, 0.2], { animate: false });
    assert.equal(box.querySelectorAll('.flower_sepal').length, 3);
    assert.equal(box.querySelectorAll('.flower_petal').length, 3);
    const svg = box.querySelector('svg');
    assert.equal(svg.getAttribute('role'), 'img');
    assert.match(svg.getAttribute('aria-label'), /sepals 5\.1 cm long and 3\.5 cm wide; petals 1\.4 cm long and 0\.2 cm wide/);
    assert.equal(box.querySelector('.flower_sepal').getAttribute('d'), flower.leaf_path(5.1 * flower.SCALE, 3.5 * flower.SCALE));

    flower.draw_flower(box, d3, [7.0, 3.2, 4.7, 1.4], { animate: false });
    assert.equal(box.querySelectorAll('svg').length, 1);
    assert.equal(box.querySelectorAll('.flower_petal').length, 3);
    assert.equal(box.querySelector('.flower_petal').getAttribute('d'), flower.leaf_path(4.7 * flower.SCALE, 1.4 * flower.SCALE));
  });
});

describe('range placement', () => {
  const ranges = [
    { species: 'setosa', count: 40, ranges: { petal_length: { min: 1.0, max: 1.9 } } },
    { species: 'versicolor', count: 40, ranges: { petal_length: { min: 3.0, max: 5.1 } } },
    { species: 'virginica', count: 40, ranges: { petal_length: { min: 4.5, max: 6.9 } } },
  ];

  test('a value inside one range belongs to that species only', () => {
    const p = charts.range_placement(ranges, 'petal_length', 1.4);
    assert.deepEqual(p.within, ['setosa']);
    assert.equal(p.nearest, null);
    assert.deepEqual(p.species.map((s) => s.inside), [true, false, false]);
  });

  test('ranges overlap, and their ends count as inside', () => {
    assert.deepEqual(charts.range_placement(ranges, 'petal_length', 4.8).within, ['versicolor', 'virginica']);
    assert.deepEqual(charts.range_placement(ranges, 'petal_length', 5.1).within, ['versicolor', 'virginica']);
    assert.deepEqual(charts.range_placement(ranges, 'petal_length', 1.0).within, ['setosa']);
  });

  test('outside every range, the nearest species is named', () => {
    const gap = charts.range_placement(ranges, 'petal_length', 2.6);
    assert.deepEqual(gap.within, []);
    assert.equal(gap.nearest, 'versicolor');
    assert.equal(gap.species[0].distance.toFixed(1), '0.7');
    assert.equal(charts.range_placement(ranges, 'petal_length', 7.5).nearest, 'virginica');
  });

  test('a species with no samples yet (null ranges) is left out', () => {
    const partial = [...ranges.slice(0, 2), { species: 'virginica', count: 0, ranges: { petal_length: null } }];
    assert.deepEqual(charts.range_placement(partial, 'petal_length', 6.0).species.map((s) => s.species), ['setosa', 'versicolor']);
  });

  test('flower_placement finds the species consistent with every measurement', () => {
    const all = rangesOf(IRIS);
    const setosa = IRIS.find((r) => r[4] === 'setosa');
    const placed = charts.flower_placement(all, setosa.slice(0, 4));
    assert.equal(placed.features.length, 4);
    assert.deepEqual(placed.consistent, ['setosa']);
    // Every flower lies within its own species' ranges (they are over the same flowers).
    for (const row of IRIS) {
      assert.ok(charts.flower_placement(all, row.slice(0, 4)).consistent.includes(row[4]), String(row));
    }
  });

  test('placement sentences say why', () => {
    const only = charts.placement_sentence(charts.range_placement(ranges, 'petal_length', 1.4));
    assert.equal(only, 'petal_length 1.4 cm: only setosa flowers measure this.');
    const both = charts.placement_sentence(charts.range_placement(ranges, 'petal_length', 4.8));
    assert.equal(both, 'petal_length 4.8 cm: typical of versicolor, virginica.');
    const none = charts.placement_sentence(charts.range_placement(ranges, 'petal_length', 2.6));
    assert.equal(none, 'petal_length 2.6 cm: outside every range, closest to versicolor.');
  });
});

describe('the charts', () => {
  const row = (id, accuracy, rounds = 10) => ({
    user_id: id, username: `u${id}`, display_name: `User ${id}`, store: 'Central', sessions: 1,
    rounds, correct: Math.round((accuracy || 0) * rounds), accuracy, ai_accuracy: 0.9,
    wins: 0, draws: 0, losses: 1, longest_streak: 2, last_activity: null,
  });

  test('the scoreboard chart shows players only, best first, and always the current user', () => {
    const trainees = [row(1, 0.9), row(2, 0.8), row(3, null, 0), row(4, 0.7), row(5, 0.6)];
    assert.deepEqual(charts.chart_rows(trainees, 99, 8).map((r) => r.user_id), [1, 2, 4, 5]);
    assert.deepEqual(charts.chart_rows(trainees, 5, 2).map((r) => r.user_id), [1, 5]);
    assert.deepEqual(charts.chart_rows(trainees, 3, 2).map((r) => r.user_id), [1, 2], 'no rounds, no bar');
  });

  test('measurement bars: one per measurement, from an empty frame to values', () => {
    const { box, d3 } = d3Page();
    charts.measurement_bars(box, d3, null, { placeholder: 'No flower yet' });
    assert.equal(box.querySelectorAll('.chart_bar').length, 0);
    assert.equal(box.style.aspectRatio, '360 / 200');
    charts.measurement_bars(box, d3, [5.1, 3.5, 1.4, 0.2], { animate: false });
    assert.equal(box.querySelectorAll('.chart_bar').length, 4);
    assert.deepEqual([...box.querySelectorAll('.chart_values text')].map((t) => t.textContent), ['5.1', '3.5', '1.4', '0.2']);
    const widths = [...box.querySelectorAll('.chart_bar')].map((r) => Number(r.getAttribute('width')));
    assert.ok(Math.abs(widths[0] / widths[2] - 5.1 / 1.4) < 0.01);
    charts.measurement_bars(box, d3, [6, 3, 4, 1], { animate: false });
    assert.equal(box.querySelectorAll('svg').length, 1);
    assert.equal(box.querySelectorAll('.chart_bar').length, 4);
  });

  test('range strips: three bands and a marker per measurement', () => {
    const { box, d3 } = d3Page();
    charts.range_strips(box, d3, null, null, {});
    assert.equal(box.querySelectorAll('.strip_row').length, 0);
    const placed = charts.range_strips(box, d3, rangesOf(IRIS), [5.9, 3.0, 4.2, 1.5], {});
    assert.equal(box.querySelectorAll('.strip_row').length, 4);
    assert.equal(box.querySelectorAll('.strip_bands rect').length, 12);
    assert.equal(box.querySelectorAll('.strip_row .strip_marker').length, 4);
    assert.deepEqual(placed.consistent, ['versicolor']);
    assert.match(box.querySelector('svg').getAttribute('aria-label'), /petal_length 4\.2 cm: only versicolor/);
  });

  test('scoreboard chart: paired bars, the current user marked, the AI line', () => {
    const { box, d3 } = d3Page();
    charts.scoreboard_chart(box, d3, null, { current_user_id: 2 });
    assert.equal(box.querySelector('.chart_placeholder').textContent, 'Loading…');
    const board = { period: 'all', store: null, ai: { rounds: 20, accuracy: 0.95 }, trainees: [row(1, 0.9), row(2, 0.5)] };
    charts.scoreboard_chart(box, d3, board, { current_user_id: 2 });
    assert.equal(box.querySelectorAll('.board_bar_row').length, 2);
    assert.equal(box.querySelectorAll('.board_bar_row.board_me').length, 1);
    assert.equal(box.querySelector('.board_me .board_name').textContent, 'User 2 (you)');
    assert.notEqual(box.querySelector('.board_ai_overall').style.display, 'none');
    charts.scoreboard_chart(box, d3, { ...board, ai: { rounds: 0, accuracy: null }, trainees: [] }, { current_user_id: 2 });
    assert.equal(box.querySelectorAll('.board_bar_row').length, 0);
    assert.equal(box.querySelector('.board_ai_overall').style.display, 'none');
    assert.equal(box.querySelector('.chart_placeholder').textContent, 'No challenge rounds played yet.');
  });
});
