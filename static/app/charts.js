/*
 * charts.js — what the D3 charts of the trainee page share: the frame every
 * chart draws into, its axes, legends and placeholder. The charts are
 * charts_flower.js (one flower's measurements, where they fall within each
 * species' range, the species side by side) and charts_results.js (the
 * scoreboard's and your progress), all under fp.charts.
 *
 * Each chart draws into a container of fixed aspect ratio (an SVG with a
 * viewBox, width 100%), creating its SVG once and updating it in place, so
 * nothing on the page moves when data arrives.
 */
(function (global) {
  'use strict';

  // Every measurement of the data set is below 8 cm; one fixed axis makes
  // flowers comparable from one round to the next.
  var AXIS_MAX_CM = 8;

  // The viewBox width is chosen once, from the container's width: a narrow
  // one on phones so the text stays readable when the SVG is scaled down.
  function chart_width(container, wide, narrow) {
    var existing = container.querySelector('svg');
    if (existing) return Number(existing.getAttribute('data-width'));
    var width = container.clientWidth || global.innerWidth || wide;
    return width < 480 ? narrow : wide;
  }

  // The chart's SVG, made on the first call (fresh: true): the container
  // gets the SVG's aspect ratio, reserving its space.
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

  // <title> and <desc> name and describe the chart; the ids let the SVG
  // point at them (aria-labelledby / aria-describedby).
  function add_title_desc(svg, id) {
    svg.select('title').attr('id', id + '_title');
    svg.append('desc').attr('id', id + '_desc');
    svg.attr('aria-labelledby', id + '_title').attr('aria-describedby', id + '_desc');
  }

  // The text in the middle of the plot area while there is nothing to draw.
  function add_placeholder(svg, box) {
    svg.append('text').attr('class', 'chart_placeholder')
      .attr('x', (box.left + box.width - box.right) / 2).attr('y', (box.top + box.height - box.bottom) / 2)
      .attr('text-anchor', 'middle').attr('dominant-baseline', 'middle');
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

  // A legend from items [{cls, label, mark}], mark(g) drawing the item's
  // swatch (by default a rect of class cls), the text at text_x.
  function add_legend(svg, items, options) {
    var legend = svg.append('g').attr('class', 'chart_legend').attr('transform', 'translate(0,' + options.y + ')');
    items.forEach(function (item) {
      var g = legend.append('g').attr('class', item.item_class === undefined ? 'legend_item' : item.item_class);
      if (item.mark) item.mark(g);
      else g.append('rect').attr('class', item.cls).attr('width', 14).attr('height', 10).attr('rx', 2);
      g.append('text').attr('x', item.text_x || 19).attr('y', 9).text(item.label);
    });
    layout_legend(legend, options.x, options.max_x);
  }

  // A legend of the three species' colours and one line mark (this flower, the average...).
  function species_legend(svg, mark, x, max_x) {
    var items = fp.SPECIES.map(function (s) {
      return { item_class: mark.item_class, cls: 'species_fill_' + s, label: fp.species_short(s) };
    });
    items.push({
      item_class: mark.item_class, label: mark.label, text_x: 14,
      mark: function (g) {
        g.append('line').attr('class', mark.line_class).attr('x1', 6).attr('x2', 6).attr('y1', mark.y1).attr('y2', mark.y2);
      }
    });
    add_legend(svg, items, { y: 6, x: x, max_x: max_x });
  }

  // The grid lines and the axis under a chart; box: {top, bottom, height}.
  function x_axis(d3, svg, x, box, ticks, format) {
    var at = 'translate(0,' + (box.height - box.bottom) + ')';
    svg.append('g').attr('class', 'chart_grid').attr('transform', at)
      .call(d3.axisBottom(x).ticks(ticks).tickSize(-(box.height - box.top - box.bottom)).tickFormat(''));
    var axis = d3.axisBottom(x).ticks(ticks);
    svg.append('g').attr('class', 'chart_axis').attr('transform', at)
      .call(format ? axis.tickFormat(format) : axis);
  }

  function transition(selection, duration) {
    return duration ? selection.transition().duration(duration) : selection;
  }

  function pct(fraction) { return Math.round(Number(fraction) * 100) + '%'; }

  fp.charts = {
    AXIS_MAX_CM: AXIS_MAX_CM,
    // For the chart modules.
    frame: {
      chart_width: chart_width,
      ensure: ensure,
      add_title_desc: add_title_desc,
      add_placeholder: add_placeholder,
      add_legend: add_legend,
      species_legend: species_legend,
      x_axis: x_axis,
      transition: transition,
      pct: pct
    }
  };
})(window);
