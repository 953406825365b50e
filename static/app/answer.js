/*
 * answer.js — what practice (training.js) and the challenge share around
 * one answer: the three guess buttons, the verdict and the AI's guess in
 * words, and the "why" (where each measurement of the flower falls in each
 * species' range, as a chart and as sentences).
 */
(function (global) {
  'use strict';

  var state = {
    ranges: null,         // GET flowers/ranges/, loaded once for the page
    ranges_request: null  // its promise while it is on its way
  };

  // Three species buttons in a labelled group; on_guess(species) on click.
  fp.add_guess_buttons = function (target_cls, cls, on_guess) {
    az.add_element(target_cls, 1, {
      this_class: cls + '_group', tag: 'div',
      attributes: { role: 'group', 'aria-label': gettext('Your guess') }
    });
    fp.SPECIES.forEach(function (species, i) {
      az.add_button(cls + '_group', 1, {
        this_class: cls, text: fp.species_short(species), disabled: true,
        attributes: { 'data-species': species }
      });
      az.add_event(cls, i + 1, { type: 'click', function: function () { on_guess(species); } });
    });
  };

  // enabled: ready for a guess. After an answer, pass the guess and the
  // correct species to mark both (the buttons stay disabled).
  fp.set_guess_buttons = function (cls, enabled, guess, correct_species) {
    fp.SPECIES.forEach(function (species, i) {
      var button = az.set_disabled(cls, i + 1, !enabled);
      button.classList.toggle('is_chosen', !enabled && species === guess);
      button.classList.toggle('is_correct', !enabled && species === correct_species);
      button.classList.toggle('is_wrong', !enabled && species === guess && guess !== correct_species);
      if (!enabled && guess) button.setAttribute('aria-pressed', String(species === guess));
      else button.removeAttribute('aria-pressed');
    });
  };

  // "The AI said Iris virginica (87% sure): right."
  fp.ai_sentence = function (result) {
    if (!result.ai_guess) return gettext('The AI has no model yet, so it sat this one out.');
    var args = { species: fp.species_name(result.ai_guess), confidence: fp.percent(result.ai_confidence) };
    return result.ai_correct
      ? interpolate(gettext('The AI said %(species)s (%(confidence)s sure): right.'), args, true)
      : interpolate(gettext('The AI said %(species)s (%(confidence)s sure): wrong.'), args, true);
  };

  fp.verdict_sentence = function (result) {
    var args = { species: fp.species_name(result.correct_species), guess: fp.species_name(result.guess) };
    return result.correct
      ? interpolate(gettext('Right: it is %(species)s.'), args, true)
      : interpolate(gettext('Not this time: it is %(species)s, not %(guess)s.'), args, true);
  };

  // The training split's per-species ranges (GET flowers/ranges/), loaded
  // once for the page and shared by every section.
  fp.load_ranges = function (status_cls) {
    if (state.ranges) return Promise.resolve(state.ranges);
    if (!state.ranges_request) {
      state.ranges_request = fp.api({
        url: fp.API + 'flowers/ranges/',
        done: function (ranges) { state.ranges = ranges; }
      }, status_cls).then(function () {
        state.ranges_request = null;
        return state.ranges;
      });
    }
    return state.ranges_request;
  };

  // The "why" after an answer (the challenge's reveal, practice): where each
  // of the flower's measurements falls in each species' range, as a chart
  // (<prefix>_ranges) and as sentences (<prefix>_reasons).
  fp.add_why = function (target_cls, target_instance, prefix) {
    fp.add_figure(target_cls, target_instance, prefix + '_ranges',
      gettext('Why: each species’ range of every measurement among the training flowers, and where this flower falls.'),
      function (el, d3) { fp.charts.range_strips(el, d3, null, null, {}); });
    var list = az.add_element(target_cls, target_instance, { this_class: prefix + '_reasons', tag: 'ul' });
    list.classList.add('why_reasons');
    return list;
  };

  // values null clears it (waiting for an answer).
  fp.show_why = function (prefix, ranges, values) {
    var placement = fp.charts.range_strips(az.select(prefix + '_ranges', 1), global.d3, ranges || null, values || null, {
      animate: !fp.reduced_motion()
    });
    az.clear(prefix + '_reasons', 1);
    placement.features.forEach(function (feature) {
      var item = az.add_text(prefix + '_reasons', 1, {
        this_class: prefix + '_reason', tag: 'li', text: fp.charts.placement_sentence(feature)
      });
      item.classList.add('why_reason');
    });
    return placement;
  };
})(window);
