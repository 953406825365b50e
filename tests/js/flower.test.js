// Unit tests for static/app/flower.js, the flower drawn to scale from its
// four measurements, run in jsdom with the page's scripts (npm test).
'use strict';

const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const { same, scriptsPage, IRIS, box: newBox } = require('./support');

const PAGE = scriptsPage();
const flower = PAGE.fp.flower;
const d3Page = () => ({ box: newBox(PAGE), d3: PAGE.d3 });

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
    same(g.sepals.map((p) => p.angle).sort((a, b) => a - b), [60, 180, 300]);
    same(g.petals.map((p) => p.angle).sort((a, b) => a - b), [0, 120, 240]);
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
