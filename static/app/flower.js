/*
 * flower.js — the drawn flower: an SVG iris whose three sepals and three
 * petals are drawn to scale from one flower's four measurements, so a
 * trainee sees what "long narrow petals" or "short wide sepals" look like.
 *
 * Every flower uses the same scale (SCALE px per cm), so two drawings can be
 * compared by eye; a 1 cm bar is drawn in the corner.
 *
 * The geometry is pure and exported for the node tests; draw_flower needs d3.
 * Loaded after common.js (window.fp) and the catalog (gettext).
 */
(function () {
  'use strict';

  var SIZE = 280;                 // the SVG's viewBox is SIZE x SIZE
  var CENTER = { x: 140, y: 132 };
  // 14 px per cm: the longest sepal in the data (7.9 cm) reaches 111 px from
  // the centre, inside the 280 px box with room for the legend and scale bar.
  var SCALE = 14;
  var MIN_WIDTH_PX = 1.5;         // a 0.1 cm petal still shows as a line
  // Degrees clockwise from "up". Irises have three sepals (the "falls",
  // one hanging down) alternating with three petals (the "standards").
  var SEPAL_ANGLES = [180, 300, 60];
  var PETAL_ANGLES = [0, 120, 240];

  function round2(x) { return Math.round(x * 100) / 100; }

  // A leaf shape from the origin to (0, -length). Each side is one cubic
  // Bezier with both control points at x = a, so its x is 3a·t(1-t), widest
  // at t = 1/2 where x = 3a/4: a = 2/3 of the full width makes the shape
  // exactly width_px wide.
  function leaf_path(length_px, width_px) {
    var a = round2((2 / 3) * width_px);
    var l = round2(length_px);
    var y1 = round2(-0.15 * l);
    var y2 = round2(-0.75 * l);
    return 'M0,0C' + a + ',' + y1 + ' ' + a + ',' + y2 + ' 0,' + (-l) +
      'C' + (-a) + ',' + y2 + ' ' + (-a) + ',' + y1 + ' 0,0Z';
  }

  function check_values(values) {
    if (!Array.isArray(values) || values.length !== 4) {
      throw new Error('flower: values must be [sepal_length, sepal_width, petal_length, petal_width]');
    }
    return values.map(function (v) {
      var n = Number(v);
      if (!isFinite(n) || n < 0) throw new Error('flower: measurements must be non-negative numbers');
      return n;
    });
  }

  function part(kind, angle, length_cm, width_cm) {
    var length_px = length_cm * SCALE;
    var width_px = Math.max(MIN_WIDTH_PX, width_cm * SCALE);
    return {
      kind: kind,
      angle: angle,
      length_px: length_px,
      width_px: width_px,
      path: leaf_path(length_px, width_px),
      transform: 'translate(' + CENTER.x + ',' + CENTER.y + ') rotate(' + angle + ')'
    };
  }

  // values: [sepal_length, sepal_width, petal_length, petal_width] in cm.
  function flower_geometry(values) {
    var v = check_values(values);
    return {
      size: SIZE,
      center: CENTER,
      scale: SCALE,
      sepals: SEPAL_ANGLES.map(function (angle) { return part('sepal', angle, v[0], v[1]); }),
      petals: PETAL_ANGLES.map(function (angle) { return part('petal', angle, v[2], v[3]); })
    };
  }

  // How far from the centre a part reaches, in px, for a rotation: used by
  // the tests to prove every flower of the data set fits the box.
  function part_extent(p) {
    var rad = p.angle * Math.PI / 180;
    var tip = { x: CENTER.x + Math.sin(rad) * p.length_px, y: CENTER.y - Math.cos(rad) * p.length_px };
    return { tip: tip, half_width: p.width_px / 2 };
  }

  function describe(values) {
    var v = check_values(values);
    return interpolate(gettext(
      'Drawing to scale: sepals %(sl)s cm long and %(sw)s cm wide; petals %(pl)s cm long and %(pw)s cm wide.'
    ), { sl: v[0].toFixed(1), sw: v[1].toFixed(1), pl: v[2].toFixed(1), pw: v[3].toFixed(1) }, true);
  }

  function ensure_svg(container, d3) {
    var svg = d3.select(container).select('svg.flower_svg');
    if (!svg.empty()) return svg;
    svg = d3.select(container).append('svg')
      .attr('class', 'flower_svg')
      .attr('viewBox', '0 0 ' + SIZE + ' ' + SIZE)
      .attr('preserveAspectRatio', 'xMidYMid meet')
      .attr('role', 'img');
    svg.append('title');
    svg.append('g').attr('class', 'flower_sepals');
    svg.append('g').attr('class', 'flower_petals');
    svg.append('circle').attr('class', 'flower_center')
      .attr('cx', CENTER.x).attr('cy', CENTER.y).attr('r', 0);
    svg.append('text').attr('class', 'flower_placeholder')
      .attr('x', CENTER.x).attr('y', CENTER.y).attr('text-anchor', 'middle')
      .attr('dominant-baseline', 'middle');

    var legend = svg.append('g').attr('class', 'flower_legend').attr('transform', 'translate(8,8)');
    [['sepal', gettext('Sepals')], ['petal', gettext('Petals')]].forEach(function (item, i) {
      var row = legend.append('g').attr('transform', 'translate(0,' + (i * 18) + ')');
      row.append('rect').attr('class', 'flower_swatch flower_swatch_' + item[0])
        .attr('width', 12).attr('height', 12).attr('rx', 3);
      row.append('text').attr('x', 17).attr('y', 10).text(item[1]);
    });

    var bar = svg.append('g').attr('class', 'flower_scale')
      .attr('transform', 'translate(' + (SIZE - 8 - SCALE) + ',' + (SIZE - 10) + ')');
    bar.append('line').attr('x1', 0).attr('x2', SCALE).attr('y1', 0).attr('y2', 0);
    bar.append('line').attr('x1', 0).attr('x2', 0).attr('y1', -4).attr('y2', 4);
    bar.append('line').attr('x1', SCALE).attr('x2', SCALE).attr('y1', -4).attr('y2', 4);
    bar.append('text').attr('x', -4).attr('y', 4).attr('text-anchor', 'end').text(gettext('1 cm'));
    return svg;
  }

  // Draws (or redraws, morphing) the flower into container. values null
  // draws the empty frame with options.placeholder in the middle.
  function draw_flower(container, d3, values, options) {
    options = options || {};
    var svg = ensure_svg(container, d3);
    var placeholder = options.placeholder !== undefined ? options.placeholder : '';
    var duration = options.animate === false ? 0 : 350;

    if (!values) {
      svg.attr('aria-label', placeholder || gettext('No flower yet'));
      svg.select('title').text(placeholder || gettext('No flower yet'));
      svg.select('.flower_placeholder').text(placeholder);
      svg.selectAll('.flower_sepals path, .flower_petals path').remove();
      svg.select('.flower_center').attr('r', 0);
      return svg;
    }

    var geometry = flower_geometry(values);
    var label = describe(values);
    svg.attr('aria-label', label);
    svg.select('title').text(label);
    svg.select('.flower_placeholder').text('');

    [['.flower_sepals', geometry.sepals, 'flower_sepal'], ['.flower_petals', geometry.petals, 'flower_petal']]
      .forEach(function (group) {
        var paths = svg.select(group[0]).selectAll('path').data(group[1]);
        var entered = paths.enter().append('path')
          .attr('class', group[2])
          .attr('transform', function (d) { return d.transform; })
          .attr('d', leaf_path(0, 0));
        var merged = entered.merge(paths);
        (duration && merged.transition ? merged.transition().duration(duration) : merged)
          .attr('d', function (d) { return d.path; })
          .attr('transform', function (d) { return d.transform; });
      });
    svg.select('.flower_center').attr('r', 5);
    return svg;
  }

  fp.flower = {
    SIZE: SIZE,
    SCALE: SCALE,
    CENTER: CENTER,
    leaf_path: leaf_path,
    flower_geometry: flower_geometry,
    part_extent: part_extent,
    describe: describe,
    draw_flower: draw_flower
  };
})();
