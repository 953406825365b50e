/*
 * charts_results.js — the charts of results:
 *   scoreboard_chart  each trainee's accuracy next to the AI's on the same
 *                     rounds, and the AI's overall accuracy;
 *   progress_chart    your accuracy per challenge next to the AI's (lines).
 * The row and point logic is pure and exported for the node tests.
 */
(function () {
  'use strict';

  var frame = fp.charts.frame;
  var pct = frame.pct;

  /* ---------------------------------------------------------------
   * Pure logic
   * ------------------------------------------------------------- */

  // The scoreboard chart shows trainees who have played, best first, at most
  // `limit`, always including the current user when they have played.
  function chart_rows(trainees, current_user_id, limit) {
    var played = (trainees || []).filter(function (t) { return t.rounds > 0 && t.accuracy !== null; });
    var shown = played.slice(0, limit);
    var me = played.filter(function (t) { return t.user_id === current_user_id; })[0];
    if (me && shown.indexOf(me) === -1) shown[shown.length - 1] = me;
    return shown;
  }

  function fraction_or_null(value) {
    return value === null || value === undefined ? null : Number(value);
  }

  // The progress chart's points: one per finished challenge, in order, x
  // from 1. The AI's accuracy may be missing (no model at the time).
  function history_points(history) {
    return (history || []).map(function (h, i) {
      return {
        x: i + 1, session: h.session, level: h.level, level_name: h.level_name, rounds: h.rounds,
        you: fraction_or_null(h.accuracy), ai: fraction_or_null(h.ai_accuracy), outcome: h.outcome
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
      }, true);
    }).join(' ');
  }

  /* ---------------------------------------------------------------
   * Drawing
   * ------------------------------------------------------------- */

  // Paired bars per trainee (their accuracy, the AI's on the same rounds)
  // and a dashed line for the AI's accuracy over everyone's rounds.
  function scoreboard_chart(container, d3, board, options) {
    options = options || {};
    var limit = options.limit || 6;
    var width = frame.chart_width(container, 560, 340);
    var narrow = width < 480;
    // Two legend rows on a phone.
    var box = { width: width, left: narrow ? 92 : 120, right: 40, bottom: 26, top: narrow ? 50 : 34 };
    var row = 28;
    box.height = box.top + row * limit + box.bottom;
    var made = frame.ensure(container, d3, 'board_svg', box.width, box.height);
    var svg = made.svg;
    var x = d3.scaleLinear().domain([0, 1]).range([box.left, box.width - box.right]);
    var name_chars = narrow ? 11 : 16;

    if (made.fresh) {
      frame.add_legend(svg, [
        { cls: 'board_human', label: gettext('Trainee') },
        { cls: 'board_human board_human_me', label: gettext('You') },
        { cls: 'board_ai', label: gettext('AI on the same rounds') },
        {
          item_class: null, label: gettext('AI overall'), text_x: 21,
          mark: function (g) {
            g.append('line').attr('class', 'board_ai_line').attr('x1', 0).attr('x2', 16).attr('y1', 5).attr('y2', 5);
          }
        }
      ], { y: 8, x: narrow ? 8 : box.left, max_x: box.width - 8 });
      frame.x_axis(d3, svg, x, box, 5, d3.format('.0%'));
      svg.append('g').attr('class', 'board_bar_rows');
      svg.append('line').attr('class', 'board_ai_line board_ai_overall')
        .attr('y1', box.top - 4).attr('y2', box.height - box.bottom).style('display', 'none');
      frame.add_placeholder(svg, box);
    }

    var rows_data = board ? chart_rows(board.trainees, options.current_user_id, limit) : [];
    var ai = board && board.ai ? board.ai.accuracy : null;
    var placeholder = !board ? gettext('Loading…') : (rows_data.length ? '' : gettext('No challenge rounds played yet.'));
    svg.select('.chart_placeholder').text(placeholder);

    var rows = svg.select('.board_bar_rows').selectAll('g.board_bar_row').data(rows_data, function (d) { return d.user_id; });
    rows.exit().remove();
    var entered = rows.enter().append('g').attr('class', 'board_bar_row');
    entered.append('text').attr('class', 'board_name').attr('x', box.left - 8).attr('y', 10)
      .attr('text-anchor', 'end').attr('dominant-baseline', 'middle');
    entered.append('rect').attr('class', 'board_human').attr('x', box.left).attr('y', 2).attr('height', 13).attr('rx', 2);
    entered.append('rect').attr('class', 'board_ai').attr('x', box.left).attr('y', 16).attr('height', 7).attr('rx', 2);
    entered.append('text').attr('class', 'board_value').attr('y', 10).attr('dominant-baseline', 'middle');
    var all = entered.merge(rows);
    all.attr('transform', function (d, i) { return 'translate(0,' + (box.top + i * row) + ')'; })
      .classed('board_me', function (d) { return d.user_id === options.current_user_id; });
    all.select('.board_name').text(function (d) {
      var name = d.display_name || d.username;
      if (name.length > name_chars) name = name.slice(0, name_chars - 1) + '…';
      return d.user_id === options.current_user_id ? interpolate(gettext('%(name)s (you)'), { name: name }, true) : name;
    });
    all.select('.board_human').attr('width', function (d) { return x(d.accuracy || 0) - box.left; });
    all.select('.board_ai').attr('width', function (d) { return x(d.ai_accuracy || 0) - box.left; });
    all.select('.board_value').attr('x', function (d) { return x(d.accuracy || 0) + 5; })
      .text(function (d) { return pct(d.accuracy || 0); });

    var ai_line = svg.select('.board_ai_overall');
    if (ai === null || ai === undefined || !rows_data.length) {
      ai_line.style('display', 'none');
    } else {
      ai_line.style('display', null).attr('x1', x(ai)).attr('x2', x(ai));
    }

    var label = rows_data.map(function (d) {
      return interpolate(gettext('%(name)s %(human)s, AI on the same rounds %(ai)s'), {
        name: d.display_name || d.username, human: pct(d.accuracy || 0), ai: pct(d.ai_accuracy || 0)
      }, true);
    }).join('; ');
    if (ai !== null && ai !== undefined) {
      label += (label ? '. ' : '') + interpolate(gettext('AI overall %(ai)s'), { ai: pct(ai) }, true);
    }
    svg.attr('aria-label', label || placeholder);
    svg.select('title').text(label || placeholder);
    return rows_data;
  }

  // Your accuracy in each finished challenge, in order, next to the AI's in
  // the same challenge: two lines, x = the challenge's number.
  function progress_chart(container, d3, history, options) {
    options = options || {};
    var width = frame.chart_width(container, 560, 340);
    var narrow = width < 480;
    var box = { width: width, height: narrow ? 230 : 250, left: 44, right: 16, bottom: 34, top: 30 };
    var made = frame.ensure(container, d3, 'progress_svg', box.width, box.height);
    var svg = made.svg;
    var points = history ? history_points(history) : [];
    var n = points.length;
    // Half a step of margin on each side: one challenge sits in the middle.
    var x = d3.scaleLinear().domain([0.5, Math.max(1, n) + 0.5]).range([box.left, box.width - box.right]);
    var y = d3.scaleLinear().domain([0, 1]).range([box.height - box.bottom, box.top]);

    if (made.fresh) {
      frame.add_title_desc(svg, options.id || 'progress_chart');
      frame.add_legend(svg, [['progress_you', gettext('You')], ['progress_ai', gettext('The AI, same challenge')]].map(function (item) {
        return {
          label: item[1], text_x: 24,
          mark: function (g) {
            g.append('line').attr('class', 'progress_line ' + item[0]).attr('x1', 0).attr('x2', 18).attr('y1', 5).attr('y2', 5);
            g.append('circle').attr('class', 'progress_dot ' + item[0]).attr('cx', 9).attr('cy', 5).attr('r', 3.5);
          }
        };
      }), { y: 6, x: box.left, max_x: box.width - 8 });
      svg.append('g').attr('class', 'chart_grid progress_ygrid')
        .attr('transform', 'translate(' + box.left + ',0)')
        .call(d3.axisLeft(y).ticks(5).tickSize(-(box.width - box.left - box.right)).tickFormat(''));
      svg.append('g').attr('class', 'chart_axis progress_y')
        .attr('transform', 'translate(' + box.left + ',0)')
        .call(d3.axisLeft(y).ticks(5).tickFormat(d3.format('.0%')));
      svg.append('g').attr('class', 'chart_axis progress_x')
        .attr('transform', 'translate(0,' + (box.height - box.bottom) + ')');
      svg.append('text').attr('class', 'chart_unit progress_x_label')
        .attr('x', (box.left + box.width - box.right) / 2).attr('y', box.height - 4).attr('text-anchor', 'middle')
        .text(gettext('Challenge, oldest first'));
      svg.append('path').attr('class', 'progress_line progress_ai');
      svg.append('path').attr('class', 'progress_line progress_you');
      svg.append('g').attr('class', 'progress_dots progress_dots_ai');
      svg.append('g').attr('class', 'progress_dots progress_dots_you');
      frame.add_placeholder(svg, box);
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
        'Your accuracy in each of your last %(n)s challenges, and the AI’s in the same challenges', n), { n: n }, true)
      : gettext('Your accuracy in each challenge, and the AI’s');
    svg.select('title').text(title);
    svg.select('desc').text(history ? history_description(points) : placeholder);
    return points;
  }

  Object.assign(fp.charts, {
    chart_rows: chart_rows, history_points: history_points, history_description: history_description,
    scoreboard_chart: scoreboard_chart, progress_chart: progress_chart
  });
})();
