/*
 * charts_flower.js — the charts of flowers, on one fixed 0-8 cm axis:
 *   measurement_bars  the four measurements of one flower;
 *   range_strips      where one flower's measurements fall within each
 *                     species' range (the "why" after an answer);
 *   comparison_chart  the three species' ranges and averages side by side.
 * The placement logic is pure and exported for the node tests.
 */
(function () {
  'use strict';

  var frame = fp.charts.frame;
  var AXIS_MAX_CM = fp.charts.AXIS_MAX_CM;
  var BAND = 9;  // a species' band in a strip, its height

  /* ---------------------------------------------------------------
   * Pure logic
   * ------------------------------------------------------------- */

  // ranges: the /api/v1/flowers/ranges/ payload. Returns, for one feature,
  // each species' range and whether value lies inside it, plus the species
  // whose range holds the value (the closest one when none does).
  function range_placement(ranges, feature, value) {
    var v = Number(value);
    var rows = (ranges || []).filter(function (row) {
      return row && row.ranges && row.ranges[feature];
    }).map(function (row) {
      var r = row.ranges[feature];
      var inside = v >= r.min && v <= r.max;
      var distance = inside ? 0 : (v < r.min ? r.min - v : v - r.max);
      return { species: row.species, min: r.min, max: r.max, mean: r.mean, inside: inside, distance: distance };
    });
    var within = rows.filter(function (r) { return r.inside; }).map(function (r) { return r.species; });
    var nearest = null;
    if (!within.length && rows.length) {
      nearest = rows.reduce(function (best, r) { return r.distance < best.distance ? r : best; }).species;
    }
    return { feature: feature, value: v, species: rows, within: within, nearest: nearest };
  }

  // All four features; `consistent` lists the species whose ranges hold
  // every measurement of the flower.
  function flower_placement(ranges, values) {
    var features = fp.FEATURES.map(function (feature, i) { return range_placement(ranges, feature, values[i]); });
    var consistent = fp.SPECIES.filter(function (species) {
      return features.every(function (f) { return f.within.indexOf(species) !== -1; });
    });
    return { features: features, consistent: consistent };
  }

  function placement_sentence(p) {
    var args = {
      feature: fp.feature_name(p.feature), value: p.value.toFixed(1),
      species: p.within.map(fp.species_short).join(', ')
    };
    if (p.within.length === 0) {
      args.species = p.nearest ? fp.species_short(p.nearest) : '—';
      return interpolate(gettext('%(feature)s %(value)s cm: outside every range, closest to %(species)s.'), args, true);
    }
    if (p.within.length === 1) {
      return interpolate(gettext('%(feature)s %(value)s cm: only %(species)s flowers measure this.'), args, true);
    }
    return interpolate(gettext('%(feature)s %(value)s cm: typical of %(species)s.'), args, true);
  }

  // Species comparison rows: for each measurement, each species' min, mean
  // and max (mean may be missing from an older server).
  function comparison_rows(ranges) {
    return fp.FEATURES.map(function (feature) {
      return {
        feature: feature,
        species: range_placement(ranges, feature, NaN).species.map(function (s) {
          return { species: s.species, min: s.min, max: s.max, mean: s.mean === undefined ? null : s.mean };
        })
      };
    });
  }

  /* ---------------------------------------------------------------
   * Drawing
   * ------------------------------------------------------------- */

  // One horizontal bar per measurement, on a fixed 0-8 cm axis.
  function measurement_bars(container, d3, values, options) {
    options = options || {};
    var box = { width: 360, height: 200, left: 104, right: 44, top: 12, bottom: 28 };
    var made = frame.ensure(container, d3, 'bars_svg', box.width, box.height);
    var svg = made.svg;
    var x = d3.scaleLinear().domain([0, AXIS_MAX_CM]).range([box.left, box.width - box.right]);
    var y = d3.scaleBand().domain(fp.FEATURES).range([box.top, box.height - box.bottom]).padding(0.28);
    var duration = options.animate === false ? 0 : 350;

    if (made.fresh) {
      frame.x_axis(d3, svg, x, box, 8, function (d) { return d; });
      svg.append('text').attr('class', 'chart_unit').attr('x', box.width - box.right + 6).attr('y', box.height - box.bottom + 16)
        .text(gettext('cm'));
      svg.append('g').attr('class', 'chart_labels').selectAll('text').data(fp.FEATURES).enter().append('text')
        .attr('x', box.left - 8).attr('y', function (d) { return y(d) + y.bandwidth() / 2; })
        .attr('text-anchor', 'end').attr('dominant-baseline', 'middle')
        .text(function (d) { return fp.feature_name(d); });
      svg.append('g').attr('class', 'chart_bars');
      svg.append('g').attr('class', 'chart_values');
      frame.add_placeholder(svg, box);
    }

    var data = values ? fp.FEATURES.map(function (f, i) { return { feature: f, value: Number(values[i]) }; }) : [];
    var label = values
      ? data.map(function (d) { return fp.feature_name(d.feature) + ' ' + d.value.toFixed(1) + ' ' + gettext('cm'); }).join(', ')
      : (options.placeholder || gettext('No flower yet'));
    svg.attr('aria-label', label);
    svg.select('title').text(label);
    svg.select('.chart_placeholder').text(values ? '' : (options.placeholder || ''));

    var bars = svg.select('.chart_bars').selectAll('rect').data(data, function (d) { return d.feature; });
    bars.exit().remove();
    var entered = bars.enter().append('rect')
      .attr('class', function (d) { return 'chart_bar chart_bar_' + d.feature.split('_')[0]; })
      .attr('x', box.left).attr('y', function (d) { return y(d.feature); })
      .attr('height', y.bandwidth()).attr('width', 0).attr('rx', 3);
    frame.transition(entered.merge(bars), duration).attr('width', function (d) { return x(Math.min(d.value, AXIS_MAX_CM)) - box.left; });

    var texts = svg.select('.chart_values').selectAll('text').data(data, function (d) { return d.feature; });
    texts.exit().remove();
    texts.enter().append('text').attr('dominant-baseline', 'middle')
      .attr('y', function (d) { return y(d.feature) + y.bandwidth() / 2; })
      .merge(texts)
      .attr('x', function (d) { return x(Math.min(d.value, AXIS_MAX_CM)) + 5; })
      .text(function (d) { return d.value.toFixed(1); });
    return svg;
  }

  // The frame of a chart with one strip per measurement: the species legend
  // (two rows on a phone when top_narrow says so) and the cm axis.
  function strips_frame(container, d3, cls, mark, top_narrow, format) {
    var width = frame.chart_width(container, 560, 340);
    var narrow = width < 480;
    var box = { width: width, left: narrow ? 84 : 104, right: 14, row: 46, bottom: 26, top: narrow ? top_narrow : 30 };
    box.height = box.top + box.row * 4 + box.bottom;
    var made = frame.ensure(container, d3, cls, box.width, box.height);
    var x = d3.scaleLinear().domain([0, AXIS_MAX_CM]).range([box.left, box.width - box.right]);
    if (made.fresh) {
      frame.species_legend(made.svg, mark, narrow ? 8 : box.left, box.width - 8);
      frame.x_axis(d3, made.svg, x, box, 8, format);
    }
    return { svg: made.svg, fresh: made.fresh, box: box, x: x };
  }

  // The species' range bands in one strip (g), one row per species.
  function species_bands(d3, g, species, x, cls) {
    var bands = g.selectAll('rect').data(species, function (s) { return s.species; });
    bands.exit().remove();
    bands.enter().append('rect').attr('rx', 2).attr('height', BAND)
      .merge(bands)
      .attr('class', cls)
      .attr('y', function (s) { return 6 + fp.SPECIES.indexOf(s.species) * (BAND + 2); })
      .attr('x', function (s) { return x(s.min); })
      .attr('width', function (s) { return Math.max(2, x(s.max) - x(s.min)); });
  }

  // Four rows (one per measurement); in each, the three species' ranges as
  // bands and this flower's value as a marker.
  function range_strips(container, d3, ranges, values) {
    var made = strips_frame(container, d3, 'strips_svg',
      { item_class: null, line_class: 'strip_marker', y1: -2, y2: 12, label: gettext('this flower') }, 46);
    var svg = made.svg, box = made.box, x = made.x;
    if (made.fresh) svg.append('g').attr('class', 'strip_rows');

    var placement = values && ranges ? flower_placement(ranges, values) : { features: [] };
    var rows = svg.select('.strip_rows').selectAll('g.strip_row').data(placement.features, function (d) { return d.feature; });
    rows.exit().remove();
    var entered = rows.enter().append('g').attr('class', 'strip_row')
      .attr('transform', function (d, i) { return 'translate(0,' + (box.top + i * box.row) + ')'; });
    entered.append('text').attr('class', 'strip_label').attr('x', box.left - 8).attr('y', box.row / 2 - 6)
      .attr('text-anchor', 'end').attr('dominant-baseline', 'middle');
    entered.append('text').attr('class', 'strip_value').attr('x', box.left - 8).attr('y', box.row / 2 + 9)
      .attr('text-anchor', 'end').attr('dominant-baseline', 'middle');
    entered.append('g').attr('class', 'strip_bands');
    entered.append('line').attr('class', 'strip_marker');
    var all = entered.merge(rows);
    all.select('.strip_label').text(function (d) { return fp.feature_name(d.feature); });
    all.select('.strip_value').text(function (d) { return d.value.toFixed(1) + ' ' + gettext('cm'); });
    all.each(function (d) {
      species_bands(d3, d3.select(this).select('.strip_bands'), d.species, x, function (s) {
        return 'species_fill_' + s.species + (s.inside ? ' strip_inside' : ' strip_outside');
      });
    });
    all.select('.strip_marker')
      .attr('x1', function (d) { return x(Math.min(d.value, AXIS_MAX_CM)); })
      .attr('x2', function (d) { return x(Math.min(d.value, AXIS_MAX_CM)); })
      .attr('y1', 1).attr('y2', 6 + 3 * (BAND + 2) + 3);

    var label = placement.features.map(placement_sentence).join(' ');
    svg.attr('aria-label', label || gettext('No flower yet'));
    svg.select('title').text(label);
    return placement;
  }

  // Small multiples: for each measurement, the three species' ranges as
  // bands with a tick at the mean, on the same 0-8 cm axis as the reveal.
  function comparison_chart(container, d3, ranges, options) {
    options = options || {};
    var made = strips_frame(container, d3, 'compare_svg',
      { item_class: 'legend_item', line_class: 'compare_mean', y1: -1, y2: 11, label: gettext('average') }, 30,
      function (d) { return d === AXIS_MAX_CM ? interpolate(gettext('%(value)s cm'), { value: d }, true) : String(d); });
    var svg = made.svg, box = made.box, x = made.x;
    if (made.fresh) {
      frame.add_title_desc(svg, options.id || 'compare_chart');
      svg.append('g').attr('class', 'compare_rows');
      frame.add_placeholder(svg, box);
    }

    var data = ranges ? comparison_rows(ranges) : [];
    svg.select('.chart_placeholder').text(ranges ? '' : gettext('Loading…'));
    var rows = svg.select('.compare_rows').selectAll('g.compare_strip').data(data, function (d) { return d.feature; });
    rows.exit().remove();
    var entered = rows.enter().append('g').attr('class', 'compare_strip')
      .attr('transform', function (d, i) { return 'translate(0,' + (box.top + i * box.row) + ')'; });
    entered.append('text').attr('class', 'strip_label').attr('x', box.left - 8).attr('y', 6 + 1.5 * (BAND + 2))
      .attr('text-anchor', 'end').attr('dominant-baseline', 'middle');
    entered.append('g').attr('class', 'compare_bands');
    var all = entered.merge(rows);
    all.select('.strip_label').text(function (d) { return fp.feature_name(d.feature); });
    all.each(function (d) {
      var g = d3.select(this).select('.compare_bands');
      species_bands(d3, g, d.species, x, function (s) { return 'species_fill_' + s.species; });
      var means = g.selectAll('line').data(d.species.filter(function (s) { return s.mean !== null; }), function (s) { return s.species; });
      means.exit().remove();
      means.enter().append('line').attr('class', 'compare_mean')
        .merge(means)
        .attr('x1', function (s) { return x(s.mean); }).attr('x2', function (s) { return x(s.mean); })
        .attr('y1', function (s) { return 4 + fp.SPECIES.indexOf(s.species) * (BAND + 2); })
        .attr('y2', function (s) { return 8 + BAND + fp.SPECIES.indexOf(s.species) * (BAND + 2); });
    });

    svg.select('title').text(gettext('The three species side by side: the range of each measurement, and its average'));
    svg.select('desc').text(data.map(function (d) {
      return fp.feature_name(d.feature) + ': ' + d.species.map(function (s) {
        return interpolate(gettext('%(species)s %(min)s to %(max)s cm'), {
          species: fp.species_short(s.species), min: s.min.toFixed(1), max: s.max.toFixed(1)
        }, true);
      }).join(', ');
    }).join('. '));
    return data;
  }

  Object.assign(fp.charts, {
    range_placement: range_placement, flower_placement: flower_placement,
    placement_sentence: placement_sentence, comparison_rows: comparison_rows,
    measurement_bars: measurement_bars, range_strips: range_strips, comparison_chart: comparison_chart
  });
})();
