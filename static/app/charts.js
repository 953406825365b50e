/*
 * charts.js — the D3 charts of the trainee page:
 *   measurement_bars  the four measurements of one flower;
 *   range_strips      where one flower's measurements fall within each
 *                     species' range (the challenge's "why");
 *   scoreboard_chart  each trainee's accuracy next to the AI's on the same
 *                     rounds, and the AI's overall accuracy;
 *   progress_chart    your accuracy per challenge next to the AI's (lines);
 *   comparison_chart  the three species' ranges and averages side by side.
 *
 * Each chart draws into a container of fixed aspect ratio (an SVG with a
 * viewBox, width 100%), creating its SVG once and updating it in place, so
 * nothing on the page moves when data arrives. The placement logic is pure
 * and exported for the node tests.
 */
(function (global) {
  'use strict';

  function gettext(text) {
    return typeof global.gettext === 'function' ? global.gettext(text) : text;
  }
  function interpolate(format, values) {
    if (typeof global.interpolate === 'function') return global.interpolate(format, values, true);
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  }
  function ngettext(singular, plural, count) {
    if (typeof global.ngettext === 'function') return global.ngettext(singular, plural, count);
    return count === 1 ? singular : plural;
  }
  function fp() { return global.fp || {}; }
  function feature_name(f) { return fp().feature_name ? fp().feature_name(f) : f; }
  function species_short(s) { return fp().species_short ? fp().species_short(s) : s; }

  var FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
  var SPECIES = ['setosa', 'versicolor', 'virginica'];
  // Every measurement of the data set is below 8 cm; one fixed axis makes
  // flowers comparable from one round to the next.
  var AXIS_MAX_CM = 8;

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
      return { species: row.species, min: r.min, max: r.max, inside: inside, distance: distance };
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
    var features = FEATURES.map(function (feature, i) { return range_placement(ranges, feature, values[i]); });
    var consistent = SPECIES.filter(function (species) {
      return features.every(function (f) { return f.within.indexOf(species) !== -1; });
    });
    return { features: features, consistent: consistent };
  }

  function list_species(list) {
    return list.map(species_short).join(', ');
  }

  function placement_sentence(p) {
    var args = { feature: feature_name(p.feature), value: p.value.toFixed(1), species: list_species(p.within) };
    if (p.within.length === 0) {
      args.species = p.nearest ? species_short(p.nearest) : '—';
      return interpolate(gettext('%(feature)s %(value)s cm: outside every range, closest to %(species)s.'), args);
    }
    if (p.within.length === 1) {
      return interpolate(gettext('%(feature)s %(value)s cm: only %(species)s flowers measure this.'), args);
    }
    return interpolate(gettext('%(feature)s %(value)s cm: typical of %(species)s.'), args);
  }

  // The scoreboard chart shows trainees who have played, best first, at most
  // `limit`, always including the current user when they have played.
  function chart_rows(trainees, current_user_id, limit) {
    var played = (trainees || []).filter(function (t) { return t.rounds > 0 && t.accuracy !== null; });
    var shown = played.slice(0, limit);
    var me = played.filter(function (t) { return t.user_id === current_user_id; })[0];
    if (me && shown.indexOf(me) === -1) shown[shown.length - 1] = me;
    return shown;
  }

  function pct(fraction) { return Math.round(Number(fraction) * 100) + '%'; }

  // The progress chart's points: one per finished challenge, in order, x
  // from 1. The AI's accuracy may be missing (no model at the time).
  function history_points(history) {
    return (history || []).map(function (h, i) {
      return {
        x: i + 1, session: h.session, level: h.level, level_name: h.level_name, rounds: h.rounds,
        you: h.accuracy === null || h.accuracy === undefined ? null : Number(h.accuracy),
        ai: h.ai_accuracy === null || h.ai_accuracy === undefined ? null : Number(h.ai_accuracy),
        outcome: h.outcome
      };
    });
  }

  // What the chart shows, in words, for its <desc>.
  function history_description(points) {
    if (!points.length) return gettext('No finished challenge yet.');
    return points.map(function (p) {
      return interpolate(gettext('Challenge %(n)s against the %(level)s: you %(you)s, the AI %(ai)s.'), {
        n: p.x, level: p.level_name || p.level,
        you: p.you === null ? '—' : pct(p.you), ai: p.ai === null ? '—' : pct(p.ai)
      });
    }).join(' ');
  }

  // Species comparison rows: for each measurement, each species' min, mean
  // and max (mean may be missing from an older server).
  function comparison_rows(ranges) {
    return FEATURES.map(function (feature) {
      return {
        feature: feature,
        species: (ranges || []).filter(function (row) {
          return row && row.ranges && row.ranges[feature];
        }).map(function (row) {
          var r = row.ranges[feature];
          return {
            species: row.species, min: r.min, max: r.max,
            mean: r.mean === null || r.mean === undefined ? null : r.mean
          };
        })
      };
    });
  }

  /* ---------------------------------------------------------------
   * Drawing
   * ------------------------------------------------------------- */

  // The viewBox width is chosen once, from the container's width: a narrow
  // one on phones so the text stays readable when the SVG is scaled down.
  // The container gets the SVG's aspect ratio, reserving its space.
  function chart_width(container, wide, narrow) {
    var existing = container.querySelector('svg');
    if (existing) return Number(existing.getAttribute('data-width'));
    var width = container.clientWidth || global.innerWidth || wide;
    return width < 480 ? narrow : wide;
  }

  function ensure(container, d3, cls, width, height) {
    var svg = d3.select(container).select('svg.' + cls);
    if (!svg.empty()) return { svg: svg, fresh: false };
    container.style.aspectRatio = width + ' / ' + height;
    svg = d3.select(container).append('svg')
      .attr('class', 'chart_svg ' + cls)
      .attr('data-width', width)
      .attr('viewBox', '0 0 ' + width + ' ' + height)
      .attr('preserveAspectRatio', 'xMidYMid meet')
      .attr('role', 'img');
    svg.append('title');
    return { svg: svg, fresh: true };
  }

  // Lays legend items out left to right from x, wrapping at max_x; returns
  // the number of rows (each 16 units high). Measured, so translations fit.
  function layout_legend(legend, x, max_x) {
    var cursor = x, row = 0;
    legend.selectAll(':scope > g').each(function () {
      var width = this.getBBox ? this.getBBox().width : 80;
      if (cursor > x && cursor + width > max_x) { cursor = x; row += 1; }
      this.setAttribute('transform', 'translate(' + cursor + ',' + (row * 16) + ')');
      cursor += width + 18;
    });
    return row + 1;
  }

  // A legend of the three species' colours and one line mark (this flower, the average...).
  function species_legend(svg, mark, x, max_x) {
    var legend = svg.append('g').attr('class', 'chart_legend').attr('transform', 'translate(0,6)');
    SPECIES.forEach(function (s) {
      var g = legend.append('g').attr('class', mark.item_class);
      g.append('rect').attr('class', 'species_fill_' + s).attr('width', 14).attr('height', 10).attr('rx', 2);
      g.append('text').attr('x', 19).attr('y', 9).text(species_short(s));
    });
    var g = legend.append('g').attr('class', mark.item_class);
    g.append('line').attr('class', mark.line_class).attr('x1', 6).attr('x2', 6).attr('y1', mark.y1).attr('y2', mark.y2);
    g.append('text').attr('x', 14).attr('y', 9).text(mark.label);
    layout_legend(legend, x, max_x);
  }

  // The grid lines and the cm axis under a chart of measurements.
  function cm_axis(d3, svg, x, box, format) {
    var at = 'translate(0,' + (box.height - box.bottom) + ')';
    svg.append('g').attr('class', 'chart_grid').attr('transform', at)
      .call(d3.axisBottom(x).ticks(8).tickSize(-(box.height - box.top - box.bottom)).tickFormat(''));
    var axis = d3.axisBottom(x).ticks(8);
    svg.append('g').attr('class', 'chart_axis').attr('transform', at)
      .call(format ? axis.tickFormat(format) : axis);
  }

  function transition(selection, duration) {
    return duration ? selection.transition().duration(duration) : selection;
  }

  // One horizontal bar per measurement, on a fixed 0-8 cm axis.
  function measurement_bars(container, d3, values, options) {
    options = options || {};
    var W = 360, H = 200, left = 104, right = 44, top = 12, bottom = 28;
    var made = ensure(container, d3, 'bars_svg', W, H);
    var svg = made.svg;
    var x = d3.scaleLinear().domain([0, AXIS_MAX_CM]).range([left, W - right]);
    var y = d3.scaleBand().domain(FEATURES).range([top, H - bottom]).padding(0.28);
    var duration = options.animate === false ? 0 : 350;

    if (made.fresh) {
      svg.append('g').attr('class', 'chart_grid')
        .attr('transform', 'translate(0,' + (H - bottom) + ')')
        .call(d3.axisBottom(x).ticks(8).tickSize(-(H - top - bottom)).tickFormat(''));
      svg.append('g').attr('class', 'chart_axis')
        .attr('transform', 'translate(0,' + (H - bottom) + ')')
        .call(d3.axisBottom(x).ticks(8).tickFormat(function (d) { return d; }));
      svg.append('text').attr('class', 'chart_unit').attr('x', W - right + 6).attr('y', H - bottom + 16)
        .text(gettext('cm'));
      svg.append('g').attr('class', 'chart_labels').selectAll('text').data(FEATURES).enter().append('text')
        .attr('x', left - 8).attr('y', function (d) { return y(d) + y.bandwidth() / 2; })
        .attr('text-anchor', 'end').attr('dominant-baseline', 'middle')
        .text(feature_name);
      svg.append('g').attr('class', 'chart_bars');
      svg.append('g').attr('class', 'chart_values');
      svg.append('text').attr('class', 'chart_placeholder')
        .attr('x', (left + W - right) / 2).attr('y', (top + H - bottom) / 2)
        .attr('text-anchor', 'middle').attr('dominant-baseline', 'middle');
    }

    var data = values ? FEATURES.map(function (f, i) { return { feature: f, value: Number(values[i]) }; }) : [];
    var label = values
      ? data.map(function (d) { return feature_name(d.feature) + ' ' + d.value.toFixed(1) + ' ' + gettext('cm'); }).join(', ')
      : (options.placeholder || gettext('No flower yet'));
    svg.attr('aria-label', label);
    svg.select('title').text(label);
    svg.select('.chart_placeholder').text(values ? '' : (options.placeholder || ''));

    var bars = svg.select('.chart_bars').selectAll('rect').data(data, function (d) { return d.feature; });
    bars.exit().remove();
    var entered = bars.enter().append('rect')
      .attr('class', function (d) { return 'chart_bar chart_bar_' + d.feature.split('_')[0]; })
      .attr('x', left).attr('y', function (d) { return y(d.feature); })
      .attr('height', y.bandwidth()).attr('width', 0).attr('rx', 3);
    transition(entered.merge(bars), duration).attr('width', function (d) { return x(Math.min(d.value, AXIS_MAX_CM)) - left; });

    var texts = svg.select('.chart_values').selectAll('text').data(data, function (d) { return d.feature; });
    texts.exit().remove();
    texts.enter().append('text').attr('dominant-baseline', 'middle')
      .attr('y', function (d) { return y(d.feature) + y.bandwidth() / 2; })
      .merge(texts)
      .attr('x', function (d) { return x(Math.min(d.value, AXIS_MAX_CM)) + 5; })
      .text(function (d) { return d.value.toFixed(1); });
    return svg;
  }

  // Four rows (one per measurement); in each, the three species' ranges as
  // bands and this flower's value as a marker.
  function range_strips(container, d3, ranges, values, options) {
    options = options || {};
    var W = chart_width(container, 560, 340);
    var narrow = W < 480;
    var left = narrow ? 84 : 104, right = 14, row = 46, bottom = 26;
    var top = narrow ? 46 : 30;  // two legend rows on a phone
    var H = top + row * 4 + bottom;
    var made = ensure(container, d3, 'strips_svg', W, H);
    var svg = made.svg;
    var x = d3.scaleLinear().domain([0, AXIS_MAX_CM]).range([left, W - right]);
    var band = 9;

    if (made.fresh) {
      species_legend(svg, { item_class: null, line_class: 'strip_marker', y1: -2, y2: 12, label: gettext('this flower') },
        narrow ? 8 : left, W - 8);
      cm_axis(d3, svg, x, { top: top, bottom: bottom, height: H });
      svg.append('g').attr('class', 'strip_rows');
    }

    var placement = values && ranges ? flower_placement(ranges, values) : { features: [] };
    var rows = svg.select('.strip_rows').selectAll('g.strip_row').data(placement.features, function (d) { return d.feature; });
    rows.exit().remove();
    var entered = rows.enter().append('g').attr('class', 'strip_row')
      .attr('transform', function (d, i) { return 'translate(0,' + (top + i * row) + ')'; });
    entered.append('text').attr('class', 'strip_label').attr('x', left - 8).attr('y', row / 2 - 6)
      .attr('text-anchor', 'end').attr('dominant-baseline', 'middle');
    entered.append('text').attr('class', 'strip_value').attr('x', left - 8).attr('y', row / 2 + 9)
      .attr('text-anchor', 'end').attr('dominant-baseline', 'middle');
    entered.append('g').attr('class', 'strip_bands');
    entered.append('line').attr('class', 'strip_marker');
    var all = entered.merge(rows);
    all.select('.strip_label').text(function (d) { return feature_name(d.feature); });
    all.select('.strip_value').text(function (d) { return d.value.toFixed(1) + ' ' + gettext('cm'); });
    all.each(function (d) {
      var bands = d3.select(this).select('.strip_bands').selectAll('rect').data(d.species, function (s) { return s.species; });
      bands.exit().remove();
      bands.enter().append('rect').attr('rx', 2).attr('height', band)
        .merge(bands)
        .attr('class', function (s) { return 'species_fill_' + s.species + (s.inside ? ' strip_inside' : ' strip_outside'); })
        .attr('y', function (s) { return 6 + SPECIES.indexOf(s.species) * (band + 2); })
        .attr('x', function (s) { return x(s.min); })
        .attr('width', function (s) { return Math.max(2, x(s.max) - x(s.min)); });
    });
    all.select('.strip_marker')
      .attr('x1', function (d) { return x(Math.min(d.value, AXIS_MAX_CM)); })
      .attr('x2', function (d) { return x(Math.min(d.value, AXIS_MAX_CM)); })
      .attr('y1', 1).attr('y2', 6 + 3 * (band + 2) + 3);

    var label = placement.features.map(placement_sentence).join(' ');
    svg.attr('aria-label', label || gettext('No flower yet'));
    svg.select('title').text(label);
    return placement;
  }

  // Paired bars per trainee (their accuracy, the AI's on the same rounds)
  // and a dashed line for the AI's accuracy over everyone's rounds.
  function scoreboard_chart(container, d3, board, options) {
    options = options || {};
    var limit = options.limit || 6;
    var W = chart_width(container, 560, 340);
    var narrow = W < 480;
    var left = narrow ? 92 : 120, right = 40, row = 28, bottom = 26;
    var top = narrow ? 50 : 34;  // two legend rows on a phone
    var H = top + row * limit + bottom;
    var made = ensure(container, d3, 'board_svg', W, H);
    var svg = made.svg;
    var x = d3.scaleLinear().domain([0, 1]).range([left, W - right]);
    var name_chars = narrow ? 11 : 16;

    if (made.fresh) {
      var legend = svg.append('g').attr('class', 'chart_legend').attr('transform', 'translate(0,8)');
      [['board_human', gettext('Trainee')], ['board_human board_human_me', gettext('You')],
        ['board_ai', gettext('AI on the same rounds')]].forEach(function (item) {
        var g = legend.append('g').attr('class', 'legend_item');
        g.append('rect').attr('class', item[0]).attr('width', 14).attr('height', 10).attr('rx', 2);
        g.append('text').attr('x', 19).attr('y', 9).text(item[1]);
      });
      var line_key = legend.append('g');
      line_key.append('line').attr('class', 'board_ai_line').attr('x1', 0).attr('x2', 16).attr('y1', 5).attr('y2', 5);
      line_key.append('text').attr('x', 21).attr('y', 9).text(gettext('AI overall'));
      layout_legend(legend, narrow ? 8 : left, W - 8);
      svg.append('g').attr('class', 'chart_grid')
        .attr('transform', 'translate(0,' + (H - bottom) + ')')
        .call(d3.axisBottom(x).ticks(5).tickSize(-(H - top - bottom)).tickFormat(''));
      svg.append('g').attr('class', 'chart_axis')
        .attr('transform', 'translate(0,' + (H - bottom) + ')')
        .call(d3.axisBottom(x).ticks(5).tickFormat(d3.format('.0%')));
      svg.append('g').attr('class', 'board_bar_rows');
      svg.append('line').attr('class', 'board_ai_line board_ai_overall').attr('y1', top - 4).attr('y2', H - bottom).style('display', 'none');
      svg.append('text').attr('class', 'chart_placeholder')
        .attr('x', (left + W - right) / 2).attr('y', (top + H - bottom) / 2)
        .attr('text-anchor', 'middle').attr('dominant-baseline', 'middle');
    }

    var rows_data = board ? chart_rows(board.trainees, options.current_user_id, limit) : [];
    var ai = board && board.ai ? board.ai.accuracy : null;
    var placeholder = !board ? gettext('Loading…') : (rows_data.length ? '' : gettext('No challenge rounds played yet.'));
    svg.select('.chart_placeholder').text(placeholder);

    var rows = svg.select('.board_bar_rows').selectAll('g.board_bar_row').data(rows_data, function (d) { return d.user_id; });
    rows.exit().remove();
    var entered = rows.enter().append('g').attr('class', 'board_bar_row');
    entered.append('text').attr('class', 'board_name').attr('x', left - 8).attr('y', 10)
      .attr('text-anchor', 'end').attr('dominant-baseline', 'middle');
    entered.append('rect').attr('class', 'board_human').attr('x', left).attr('y', 2).attr('height', 13).attr('rx', 2);
    entered.append('rect').attr('class', 'board_ai').attr('x', left).attr('y', 16).attr('height', 7).attr('rx', 2);
    entered.append('text').attr('class', 'board_value').attr('y', 10).attr('dominant-baseline', 'middle');
    var all = entered.merge(rows);
    all.attr('transform', function (d, i) { return 'translate(0,' + (top + i * row) + ')'; })
      .classed('board_me', function (d) { return d.user_id === options.current_user_id; });
    all.select('.board_name').text(function (d) {
      var name = d.display_name || d.username;
      if (name.length > name_chars) name = name.slice(0, name_chars - 1) + '…';
      return d.user_id === options.current_user_id ? interpolate(gettext('%(name)s (you)'), { name: name }) : name;
    });
    all.select('.board_human').attr('width', function (d) { return x(d.accuracy || 0) - left; });
    all.select('.board_ai').attr('width', function (d) { return x(d.ai_accuracy || 0) - left; });
    all.select('.board_value').attr('x', function (d) { return x(d.accuracy || 0) + 5; })
      .text(function (d) { return Math.round((d.accuracy || 0) * 100) + '%'; });

    var ai_line = svg.select('.board_ai_overall');
    if (ai === null || ai === undefined || !rows_data.length) {
      ai_line.style('display', 'none');
    } else {
      ai_line.style('display', null).attr('x1', x(ai)).attr('x2', x(ai));
    }

    var label = rows_data.map(function (d) {
      return interpolate(gettext('%(name)s %(human)s, AI on the same rounds %(ai)s'), {
        name: d.display_name || d.username,
        human: Math.round((d.accuracy || 0) * 100) + '%',
        ai: Math.round((d.ai_accuracy || 0) * 100) + '%'
      });
    }).join('; ');
    if (ai !== null && ai !== undefined) {
      label += (label ? '. ' : '') + interpolate(gettext('AI overall %(ai)s'), { ai: Math.round(ai * 100) + '%' });
    }
    svg.attr('aria-label', label || placeholder);
    svg.select('title').text(label || placeholder);
    return rows_data;
  }

  function add_title_desc(svg, id) {
    // <title> and <desc> name and describe the chart; the ids let the SVG
    // point at them (aria-labelledby / aria-describedby).
    svg.select('title').attr('id', id + '_title');
    svg.append('desc').attr('id', id + '_desc');
    svg.attr('aria-labelledby', id + '_title').attr('aria-describedby', id + '_desc');
  }

  // Your accuracy in each finished challenge, in order, next to the AI's in
  // the same challenge: two lines, x = the challenge's number.
  function progress_chart(container, d3, history, options) {
    options = options || {};
    var W = chart_width(container, 560, 340);
    var narrow = W < 480;
    var left = 44, right = 16, bottom = 34;
    var top = 30;
    var H = narrow ? 230 : 250;
    var made = ensure(container, d3, 'progress_svg', W, H);
    var svg = made.svg;
    var points = history ? history_points(history) : [];
    var n = points.length;
    // Half a step of margin on each side: one challenge sits in the middle.
    var x = d3.scaleLinear().domain([0.5, Math.max(1, n) + 0.5]).range([left, W - right]);
    var y = d3.scaleLinear().domain([0, 1]).range([H - bottom, top]);

    if (made.fresh) {
      add_title_desc(svg, options.id || 'progress_chart');
      var legend = svg.append('g').attr('class', 'chart_legend').attr('transform', 'translate(0,6)');
      [['progress_you', gettext('You')], ['progress_ai', gettext('The AI, same challenge')]].forEach(function (item) {
        var g = legend.append('g').attr('class', 'legend_item');
        g.append('line').attr('class', 'progress_line ' + item[0]).attr('x1', 0).attr('x2', 18).attr('y1', 5).attr('y2', 5);
        g.append('circle').attr('class', 'progress_dot ' + item[0]).attr('cx', 9).attr('cy', 5).attr('r', 3.5);
        g.append('text').attr('x', 24).attr('y', 9).text(item[1]);
      });
      layout_legend(legend, left, W - 8);
      svg.append('g').attr('class', 'chart_grid progress_ygrid')
        .attr('transform', 'translate(' + left + ',0)')
        .call(d3.axisLeft(y).ticks(5).tickSize(-(W - left - right)).tickFormat(''));
      svg.append('g').attr('class', 'chart_axis progress_y')
        .attr('transform', 'translate(' + left + ',0)')
        .call(d3.axisLeft(y).ticks(5).tickFormat(d3.format('.0%')));
      svg.append('g').attr('class', 'chart_axis progress_x')
        .attr('transform', 'translate(0,' + (H - bottom) + ')');
      svg.append('text').attr('class', 'chart_unit progress_x_label')
        .attr('x', (left + W - right) / 2).attr('y', H - 4).attr('text-anchor', 'middle')
        .text(gettext('Challenge, oldest first'));
      svg.append('path').attr('class', 'progress_line progress_ai');
      svg.append('path').attr('class', 'progress_line progress_you');
      svg.append('g').attr('class', 'progress_dots progress_dots_ai');
      svg.append('g').attr('class', 'progress_dots progress_dots_you');
      svg.append('text').attr('class', 'chart_placeholder')
        .attr('x', (left + W - right) / 2).attr('y', (top + H - bottom) / 2)
        .attr('text-anchor', 'middle').attr('dominant-baseline', 'middle');
    }

    // Whole numbers only, and not too many of them on a phone.
    var every = Math.max(1, Math.ceil(n / (narrow ? 6 : 12)));
    var ticks = [];
    for (var t = 1; t <= Math.max(n, 1); t += every) ticks.push(t);
    svg.select('.progress_x').call(d3.axisBottom(x).tickValues(n ? ticks : []).tickFormat(d3.format('d')));

    var placeholder = !history ? gettext('Loading…') : (n ? '' : (options.empty || gettext('No finished challenge yet.')));
    svg.select('.chart_placeholder').text(placeholder);

    [['you', '.progress_you', '.progress_dots_you'], ['ai', '.progress_ai', '.progress_dots_ai']].forEach(function (series) {
      var key = series[0];
      var line = d3.line()
        .defined(function (p) { return p[key] !== null; })
        .x(function (p) { return x(p.x); })
        .y(function (p) { return y(p[key]); });
      svg.select('path' + series[1]).attr('d', n ? line(points) : null);
      var dots = svg.select(series[2]).selectAll('circle')
        .data(points.filter(function (p) { return p[key] !== null; }), function (p) { return p.x; });
      dots.exit().remove();
      dots.enter().append('circle').attr('r', narrow ? 3.5 : 4)
        .attr('class', 'progress_dot progress_' + key)
        .merge(dots)
        .attr('cx', function (p) { return x(p.x); })
        .attr('cy', function (p) { return y(p[key]); });
    });

    var title = n
      ? interpolate(ngettext(
        'Your accuracy in your %(n)s challenge so far, and the AI’s in the same challenge',
        'Your accuracy in each of your last %(n)s challenges, and the AI’s in the same challenges', n), { n: n })
      : gettext('Your accuracy in each challenge, and the AI’s');
    svg.select('title').text(title);
    svg.select('desc').text(history ? history_description(points) : placeholder);
    return points;
  }

  // Small multiples: for each measurement, the three species' ranges as
  // bands with a tick at the mean, on the same 0-8 cm axis as the reveal.
  function comparison_chart(container, d3, ranges, options) {
    options = options || {};
    var W = chart_width(container, 560, 340);
    var narrow = W < 480;
    var left = narrow ? 84 : 104, right = 14, row = 46, bottom = 26;
    var top = 30;
    var H = top + row * 4 + bottom;
    var made = ensure(container, d3, 'compare_svg', W, H);
    var svg = made.svg;
    var x = d3.scaleLinear().domain([0, AXIS_MAX_CM]).range([left, W - right]);
    var band = 9;

    if (made.fresh) {
      add_title_desc(svg, options.id || 'compare_chart');
      species_legend(svg, { item_class: 'legend_item', line_class: 'compare_mean', y1: -1, y2: 11, label: gettext('average') },
        narrow ? 8 : left, W - 8);
      cm_axis(d3, svg, x, { top: top, bottom: bottom, height: H }, function (d) {
        return d === AXIS_MAX_CM ? interpolate(gettext('%(value)s cm'), { value: d }) : String(d);
      });
      svg.append('g').attr('class', 'compare_rows');
      svg.append('text').attr('class', 'chart_placeholder')
        .attr('x', (left + W - right) / 2).attr('y', (top + H - bottom) / 2)
        .attr('text-anchor', 'middle').attr('dominant-baseline', 'middle');
    }

    var data = ranges ? comparison_rows(ranges) : [];
    svg.select('.chart_placeholder').text(ranges ? '' : gettext('Loading…'));
    var rows = svg.select('.compare_rows').selectAll('g.compare_strip').data(data, function (d) { return d.feature; });
    rows.exit().remove();
    var entered = rows.enter().append('g').attr('class', 'compare_strip')
      .attr('transform', function (d, i) { return 'translate(0,' + (top + i * row) + ')'; });
    entered.append('text').attr('class', 'strip_label').attr('x', left - 8).attr('y', 6 + 1.5 * (band + 2))
      .attr('text-anchor', 'end').attr('dominant-baseline', 'middle');
    entered.append('g').attr('class', 'compare_bands');
    var all = entered.merge(rows);
    all.select('.strip_label').text(function (d) { return feature_name(d.feature); });
    all.each(function (d) {
      var g = d3.select(this).select('.compare_bands');
      var bands = g.selectAll('rect').data(d.species, function (s) { return s.species; });
      bands.exit().remove();
      bands.enter().append('rect').attr('rx', 2).attr('height', band)
        .merge(bands)
        .attr('class', function (s) { return 'species_fill_' + s.species; })
        .attr('y', function (s) { return 6 + SPECIES.indexOf(s.species) * (band + 2); })
        .attr('x', function (s) { return x(s.min); })
        .attr('width', function (s) { return Math.max(2, x(s.max) - x(s.min)); });
      var means = g.selectAll('line').data(d.species.filter(function (s) { return s.mean !== null; }), function (s) { return s.species; });
      means.exit().remove();
      means.enter().append('line').attr('class', 'compare_mean')
        .merge(means)
        .attr('x1', function (s) { return x(s.mean); }).attr('x2', function (s) { return x(s.mean); })
        .attr('y1', function (s) { return 4 + SPECIES.indexOf(s.species) * (band + 2); })
        .attr('y2', function (s) { return 8 + band + SPECIES.indexOf(s.species) * (band + 2); });
    });

    svg.select('title').text(gettext('The three species side by side: the range of each measurement, and its average'));
    svg.select('desc').text(data.map(function (d) {
      return feature_name(d.feature) + ': ' + d.species.map(function (s) {
        return interpolate(gettext('%(species)s %(min)s to %(max)s cm'), {
          species: species_short(s.species), min: s.min.toFixed(1), max: s.max.toFixed(1)
        });
      }).join(', ');
    }).join('. '));
    return data;
  }

  var api = {
    AXIS_MAX_CM: AXIS_MAX_CM,
    history_points: history_points,
    history_description: history_description,
    comparison_rows: comparison_rows,
    progress_chart: progress_chart,
    comparison_chart: comparison_chart,
    range_placement: range_placement,
    flower_placement: flower_placement,
    placement_sentence: placement_sentence,
    chart_rows: chart_rows,
    measurement_bars: measurement_bars,
    range_strips: range_strips,
    scoreboard_chart: scoreboard_chart
  };

  if (typeof module !== 'undefined' && module.exports) {
    module.exports = api;
  } else {
    global.fp = global.fp || {};
    global.fp.charts = api;
  }
})(typeof window !== 'undefined' ? window : globalThis);
