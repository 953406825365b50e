// Unit tests for static/app/charts.js and charts_flower.js: where a
// flower's measurements fall within each species' range, and the charts of
// one flower and of the species side by side, run in jsdom (npm test).
'use strict';

const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const { same, scriptsPage, IRIS, rangesOf, RANGES, box: newBox } = require('./support');

const PAGE = scriptsPage();
const fp = PAGE.fp;
const d3Page = () => ({ box: newBox(PAGE), d3: PAGE.d3 });

describe('range placement', () => {
  const ranges = [
    { species: 'setosa', count: 40, ranges: { petal_length: { min: 1.0, max: 1.9 } } },
    { species: 'versicolor', count: 40, ranges: { petal_length: { min: 3.0, max: 5.1 } } },
    { species: 'virginica', count: 40, ranges: { petal_length: { min: 4.5, max: 6.9 } } },
  ];

  test('a value inside one range belongs to that species only', () => {
    const p = fp.charts.range_placement(ranges, 'petal_length', 1.4);
    same(p.within, ['setosa']);
    assert.equal(p.nearest, null);
    same(p.species.map((s) => s.inside), [true, false, false]);
  });

  test('ranges overlap, and their ends count as inside', () => {
    same(fp.charts.range_placement(ranges, 'petal_length', 4.8).within, ['versicolor', 'virginica']);
    same(fp.charts.range_placement(ranges, 'petal_length', 5.1).within, ['versicolor', 'virginica']);
    same(fp.charts.range_placement(ranges, 'petal_length', 1.0).within, ['setosa']);
  });

  test('outside every range, the nearest species is named', () => {
    const gap = fp.charts.range_placement(ranges, 'petal_length', 2.6);
    same(gap.within, []);
    assert.equal(gap.nearest, 'versicolor');
    assert.equal(gap.species[0].distance.toFixed(1), '0.7');
    assert.equal(fp.charts.range_placement(ranges, 'petal_length', 7.5).nearest, 'virginica');
  });

  test('a species with no samples yet (null ranges) is left out', () => {
    const partial = [...ranges.slice(0, 2), { species: 'virginica', count: 0, ranges: { petal_length: null } }];
    same(fp.charts.range_placement(partial, 'petal_length', 6.0).species.map((s) => s.species), ['setosa', 'versicolor']);
  });

  test('flower_placement finds the species consistent with every measurement', () => {
    const all = rangesOf(IRIS);
    const setosa = IRIS.find((r) => r[4] === 'setosa');
    const placed = fp.charts.flower_placement(all, setosa.slice(0, 4));
    assert.equal(placed.features.length, 4);
    same(placed.consistent, ['setosa']);
    // Every flower lies within its own species' ranges (they are over the same flowers).
    for (const row of IRIS) {
      assert.ok(fp.charts.flower_placement(all, row.slice(0, 4)).consistent.includes(row[4]), String(row));
    }
  });

  test('placement sentences say why', () => {
    const only = fp.charts.placement_sentence(fp.charts.range_placement(ranges, 'petal_length', 1.4));
    assert.equal(only, 'Petal length 1.4 cm: only Setosa flowers measure this.');
    const both = fp.charts.placement_sentence(fp.charts.range_placement(ranges, 'petal_length', 4.8));
    assert.equal(both, 'Petal length 4.8 cm: typical of Versicolor, Virginica.');
    const none = fp.charts.placement_sentence(fp.charts.range_placement(ranges, 'petal_length', 2.6));
    assert.equal(none, 'Petal length 2.6 cm: outside every range, closest to Versicolor.');
  });
});

describe('the flower charts', () => {
  test('measurement bars: one per measurement, from an empty frame to values', () => {
    const { box, d3 } = d3Page();
    fp.charts.measurement_bars(box, d3, null, { placeholder: 'No flower yet' });
    assert.equal(box.querySelectorAll('.chart_bar').length, 0);
    assert.equal(box.style.aspectRatio, '360 / 200');
    fp.charts.measurement_bars(box, d3, [5.1, 3.5, 1.4, 0.2], { animate: false });
    assert.equal(box.querySelectorAll('.chart_bar').length, 4);
    same([...box.querySelectorAll('.chart_values text')].map((t) => t.textContent), ['5.1', '3.5', '1.4', '0.2']);
    const widths = [...box.querySelectorAll('.chart_bar')].map((r) => Number(r.getAttribute('width')));
    assert.ok(Math.abs(widths[0] / widths[2] - 5.1 / 1.4) < 0.01);
    fp.charts.measurement_bars(box, d3, [6, 3, 4, 1], { animate: false });
    assert.equal(box.querySelectorAll('svg').length, 1);
    assert.equal(box.querySelectorAll('.chart_bar').length, 4);
  });

  test('range strips: three bands and a marker per measurement', () => {
    const { box, d3 } = d3Page();
    fp.charts.range_strips(box, d3, null, null, {});
    assert.equal(box.querySelectorAll('.strip_row').length, 0);
    const placed = fp.charts.range_strips(box, d3, rangesOf(IRIS), [5.9, 3.0, 4.2, 1.5], {});
    assert.equal(box.querySelectorAll('.strip_row').length, 4);
    assert.equal(box.querySelectorAll('.strip_bands rect').length, 12);
    assert.equal(box.querySelectorAll('.strip_row .strip_marker').length, 4);
    same(placed.consistent, ['versicolor']);
    assert.match(box.querySelector('svg').getAttribute('aria-label'), /Petal length 4\.2 cm: only Versicolor/);
  });

  test('the species comparison: three bands and an average per measurement', () => {
    const el = newBox(PAGE);
    const rows = fp.charts.comparison_chart(el, PAGE.d3, RANGES, { id: 'c1' });
    assert.equal(rows.length, 4);
    assert.equal(el.querySelectorAll('.compare_strip').length, 4);
    assert.equal(el.querySelectorAll('.compare_bands rect').length, 12);
    assert.equal(el.querySelectorAll('.compare_bands line.compare_mean').length, 12);
    assert.match(el.querySelector('desc').textContent, /Sepal length: Setosa 1\.0 to 2\.0 cm/);
  });

});
