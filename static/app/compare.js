/*
 * compare.js — the Training section's "Tell the species apart" card: the
 * three species side by side (each measurement's range and average over the
 * training flowers, GET flowers/ranges/, as a chart and a table) and the
 * rules of thumb a depth-2 decision tree learnt from them (GET
 * flowers/rules/), in words. Nothing here is hard-coded: the thresholds and
 * counts are the server's.
 */
(function (global) {
  'use strict';

  /* ---------------------------------------------------------------
   * Pure logic (exported as fp.compare for the node tests)
   * ------------------------------------------------------------- */

  // {"feature": "petal_length", "op": "<", "value": 2.45} -> "petal length under 2.45 cm"
  function condition_phrase(condition) {
    var args = { feature: fp.feature_phrase(condition.feature), value: fp.number(condition.value, 2) };
    switch (condition.op) {
      case '<': return interpolate(gettext('%(feature)s under %(value)s cm'), args, true);
      case '<=': return interpolate(gettext('%(feature)s %(value)s cm or less'), args, true);
      case '>': return interpolate(gettext('%(feature)s over %(value)s cm'), args, true);
      default: return interpolate(gettext('%(feature)s %(value)s cm or more'), args, true);
    }
  }

  // One rule of thumb in words:
  // "petal length under 2.45 cm → Iris setosa (40 of 40 training flowers)".
  function rule_sentence(rule) {
    var conditions = (rule.conditions || []).map(condition_phrase);
    return interpolate(ngettext(
      '%(conditions)s → %(species)s (%(correct)s of %(samples)s training flower)',
      '%(conditions)s → %(species)s (%(correct)s of %(samples)s training flowers)', rule.samples
    ), {
      conditions: conditions.length ? conditions.join(gettext(' and ')) : gettext('any flower'),
      species: fp.species_name(rule.species),
      correct: rule.correct,
      samples: rule.samples
    }, true);
  }

  // A comparison cell: the average, then "(smallest–largest)", in cm, one
  // decimal like the measurements (no average from an older server).
  function range_cell(r) {
    if (!r) return { mean: '—', range: '' };
    return {
      mean: r.mean === null || r.mean === undefined ? '' : fp.fixed(r.mean, 1),
      range: interpolate(gettext('(%(min)s–%(max)s)'), { min: fp.fixed(r.min, 1), max: fp.fixed(r.max, 1) }, true)
    };
  }

  /* ---------------------------------------------------------------
   * Building and rendering
   * ------------------------------------------------------------- */

  function build_compare(section) {
    az.add_element(section, 1, { this_class: 'compare_card', tag: 'div' });
    az.add_text('compare_card', 1, { this_class: 'compare_title', tag: 'h3', text: gettext('Tell the species apart') });
    az.add_text('compare_card', 1, {
      this_class: 'compare_status', tag: 'p', attributes: { 'aria-live': 'polite' }
    });
    az.add_layout('compare_card', 1, {
      this_class: 'compare_grid', number_of_rows: 1, number_of_columns: 2,
      column_widths: ['repeat(auto-fit, minmax(min(100%, 340px), 1fr))']
    });
    fp.add_figure('compare_grid_cells', 1, 'compare_chart',
      gettext('Each species’ range of every measurement among the training flowers; the line marks the average.'),
      function (el, d3) { fp.charts.comparison_chart(el, d3, null, { id: 'compare_chart' }); });

    // The table's name sits outside its scroller, so it wraps on a phone; the
    // scroller is a focusable, labelled region, scrolled by keyboard too.
    az.add_text('compare_grid_cells', 2, {
      this_class: 'compare_caption', tag: 'p',
      text: gettext('The average of each measurement, and (smallest–largest), in cm, over the training flowers'),
      attributes: { id: 'compare_caption' }
    });
    az.add_element('compare_grid_cells', 2, {
      this_class: 'compare_table_wrap', tag: 'div',
      attributes: { role: 'region', tabindex: '0', 'aria-labelledby': 'compare_caption' }
    });
    az.add_element('compare_table_wrap', 1, {
      this_class: 'compare_table', tag: 'table', attributes: { 'aria-labelledby': 'compare_caption' }
    });
    az.add_element('compare_table', 1, { this_class: 'compare_head', tag: 'thead' });
    az.add_element('compare_head', 1, { this_class: 'compare_head_row', tag: 'tr' });
    az.add_element('compare_head_row', 1, {
      this_class: 'compare_th', tag: 'th', text: gettext('Measurement'), attributes: { scope: 'col' }
    });
    fp.SPECIES.forEach(function (s) {
      az.add_element('compare_head_row', 1, {
        this_class: 'compare_th', tag: 'th', text: fp.species_short(s),
        attributes: { scope: 'col', 'data-species': s }
      });
    });
    az.add_element('compare_table', 1, { this_class: 'compare_body', tag: 'tbody' });

    az.add_text('compare_card', 1, { this_class: 'rules_title', tag: 'h4', text: gettext('Rules of thumb') });
    az.add_text('compare_card', 1, { this_class: 'rules_intro', tag: 'p', text: gettext('Loading…') });
    az.add_element('compare_card', 1, { this_class: 'rules_list', tag: 'ul' });
    az.add_text('compare_card', 1, {
      this_class: 'rules_note', tag: 'p',
      text: gettext('Rules of thumb get most flowers right, not all: the AI looks at all four measurements at once.')
    });
  }

  function show_comparison(ranges) {
    fp.charts.comparison_chart(az.select('compare_chart', 1), global.d3, ranges, { id: 'compare_chart' });
    var by_species = {};
    (ranges || []).forEach(function (row) { by_species[row.species] = row; });
    az.clear('compare_body', 1);
    fp.FEATURES.forEach(function (feature, i) {
      az.add_element('compare_body', 1, {
        this_class: 'compare_row', tag: 'tr', attributes: { 'data-feature': feature }
      });
      az.add_element('compare_row', i + 1, {
        this_class: 'compare_feature', tag: 'th', text: fp.feature_name(feature), attributes: { scope: 'row' }
      });
      fp.SPECIES.forEach(function (s) {
        var row = by_species[s];
        var cell = range_cell(row && row.ranges ? row.ranges[feature] : null);
        var n = az.number_of('compare_value') + 1;
        az.add_element('compare_row', i + 1, {
          this_class: 'compare_value', tag: 'td', attributes: { 'data-species': s }
        });
        az.add_text('compare_value', n, { this_class: 'compare_mean_value', tag: 'strong', text: cell.mean });
        // The space keeps "5.0 (4.3–5.7)" apart when read aloud; CSS puts the range below.
        az.add_text('compare_value', n, { this_class: 'compare_range', tag: 'span', text: ' ' + cell.range });
      });
    });
  }

  function show_rules(payload) {
    var rules = payload.rules || [];
    az.set_text('rules_intro', 1, rules.length
      ? interpolate(ngettext(
        'Learnt from the %(n)s training flower by a small decision tree; each rule sends a flower to one species:',
        'Learnt from the %(n)s training flowers by a small decision tree; each rule sends a flower to one species:',
        payload.train_count
      ), { n: payload.train_count }, true)
      : gettext('No rules yet: there are no training flowers.'));
    az.clear('rules_list', 1);
    rules.forEach(function (rule) {
      az.add_text('rules_list', 1, {
        this_class: 'rule', tag: 'li', text: rule_sentence(rule), attributes: { 'data-species': rule.species }
      });
    });
  }

  function load_compare() {
    fp.load_ranges('compare_status').then(function (ranges) {
      if (ranges) show_comparison(ranges);
    });
    fp.api({ url: fp.API + 'flowers/rules/', done: show_rules }, 'compare_status');
  }

  fp.compare = {
    condition_phrase: condition_phrase,
    rule_sentence: rule_sentence,
    range_cell: range_cell
  };

  // Called by training.js, which places the card between studying and practising.
  az.add_wrapped_function({
    name: 'build_compare',
    function: function (section) {
      build_compare(section);
      load_compare();
    }
  });
})(window);
