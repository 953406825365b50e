/*
 * training.js — the Training section: study a labelled flower (study.js),
 * compare the three species (compare.js), then practise: guess first, then
 * see the answer, the AI's guess, why, and your streak. Practice draws more of the species the
 * trainee gets wrong; the server refuses it during a challenge.
 */
(function () {
  'use strict';

  var state = {
    practice: null  // the practice attempt waiting for a guess (null: none, or its answer is on its way)
  };

  /* ---------------------------------------------------------------
   * Pure logic (exported as fp.training for the node tests)
   * ------------------------------------------------------------- */

  // The practice draw's weights, heaviest first (ties in species order).
  function weights_order(weights) {
    return fp.SPECIES.filter(function (s) { return weights && weights[s] !== undefined; })
      .map(function (s, i) { return { species: s, weight: Number(weights[s]), order: i }; })
      .sort(function (a, b) { return b.weight - a.weight || a.order - b.order; });
  }

  // "Practice draws more of the species you get wrong: now Versicolor 5×, Virginica 3×, Setosa 1×."
  function weights_sentence(practice) {
    var order = weights_order(practice && practice.weights);
    if (!order.length) return gettext('Practice draws more of the species you get wrong.');
    var equal = order.every(function (w) { return w.weight === order[0].weight; });
    if (equal) {
      return gettext('Practice draws more of the species you get wrong; for now it draws every species equally.');
    }
    return interpolate(gettext('Practice draws more of the species you get wrong: now %(weights)s.'), {
      weights: order.map(function (w) {
        return interpolate(gettext('%(species)s %(weight)s×'), { species: fp.species_short(w.species), weight: w.weight }, true);
      }).join(', ')
    }, true);
  }

  /* ---------------------------------------------------------------
   * Practice
   * ------------------------------------------------------------- */

  function build_practice(section) {
    az.add_element(section, 1, { this_class: 'practice_card', tag: 'div' });
    az.add_text('practice_card', 1, { this_class: 'practice_title', tag: 'h3', text: gettext('Practice') });
    az.add_text('practice_card', 1, {
      this_class: 'practice_intro', tag: 'p',
      text: gettext('A flower without its name: guess the species, then see the answer, what the AI said and why.')
    });
    az.add_text('practice_card', 1, {
      this_class: 'practice_weights', tag: 'p', text: weights_sentence(null)
    });
    az.add_element('practice_card', 1, { this_class: 'practice_controls', tag: 'div' });
    az.add_button('practice_controls', 1, { this_class: 'practice_new', text: gettext('New practice flower') });
    az.add_event('practice_new', 1, { type: 'click', function: new_practice });
    az.add_text('practice_controls', 1, {
      this_class: 'practice_streak', tag: 'p', text: interpolate(gettext('Streak: %(n)s'), { n: 0 }, true)
    });
    az.add_text('practice_card', 1, {
      this_class: 'practice_status', tag: 'p', attributes: { 'aria-live': 'polite' }
    });
    // During a challenge the server refuses practice: its message, and a way there.
    az.add_element('practice_card', 1, {
      this_class: 'practice_blocked', tag: 'div', attributes: { role: 'alert' }
    });
    az.add_text('practice_blocked', 1, { this_class: 'practice_blocked_text', tag: 'p', text: '' });
    az.add_button('practice_blocked', 1, { this_class: 'practice_to_challenge', text: gettext('Go to the challenge') });
    az.add_event('practice_to_challenge', 1, {
      type: 'click',
      function: function () { az.scroll_to('challenge_section', 1, { focus: true }); }
    });
    az.hide('practice_blocked', 1);

    az.add_layout('practice_card', 1, {
      this_class: 'practice_grid', number_of_rows: 1, number_of_columns: 2,
      column_widths: ['repeat(auto-fit, minmax(min(100%, 260px), 1fr))']
    });
    fp.add_figure('practice_grid_cells', 1, 'practice_flower', gettext('The flower, drawn to scale'), function (el, d3) {
      fp.flower.draw_flower(el, d3, null, { placeholder: gettext('No flower yet') });
    });
    fp.add_figure('practice_grid_cells', 2, 'practice_chart', gettext('Its measurements, in cm'), function (el, d3) {
      fp.charts.measurement_bars(el, d3, null, { placeholder: gettext('No flower yet') });
    });

    fp.add_guess_buttons('practice_card', 'practice_guess', answer_practice);
    az.add_element('practice_card', 1, {
      this_class: 'practice_result', tag: 'div', attributes: { 'aria-live': 'polite' }
    });
    az.add_text('practice_result', 1, { this_class: 'practice_verdict', tag: 'p', text: gettext('Your result will appear here.') });
    az.add_text('practice_result', 1, { this_class: 'practice_ai', tag: 'p', text: '' });
    // The same "why" as the challenge's reveal, shown from the first answer on.
    az.add_element('practice_card', 1, { this_class: 'practice_why', tag: 'div' });
    fp.add_why('practice_why', 1, 'practice');
    az.hide('practice_why', 1);
  }

  // True when the server refused because a challenge is open: its message is
  // shown with a button to the challenge, instead of as an error.
  function refused_for_challenge(error) {
    if (error.code !== 'challenge_in_progress') return false;
    fp.status('practice_status', '', 'ok');
    az.set_text('practice_blocked_text', 1, error.message);
    az.show('practice_blocked', 1);
    az.select('practice_to_challenge', 1).focus();
    return true;
  }

  function new_practice() {
    az.set_disabled('practice_new', 1, true);
    fp.set_guess_buttons('practice_guess', false);
    az.select('practice_grid', 1).classList.add('is_loading');
    fp.status('practice_status', gettext('Fetching a flower…'), 'loading');
    fp.api({
      url: fp.API + 'practice/', method: 'POST',
      done: function (attempt) {
        state.practice = attempt;
        az.hide('practice_blocked', 1);
        fp.status('practice_status', gettext('Which species is it?'), 'ok');
        az.select('practice_result', 1).dataset.outcome = '';
        az.set_text('practice_verdict', 1, gettext('Your result will appear here.'));
        az.set_text('practice_ai', 1, '');
        az.select('practice_why', 1).dataset.state = 'waiting';
        fp.show_why('practice', null, null);
        fp.show_flower('practice', attempt.data.values);
        fp.set_guess_buttons('practice_guess', true);
        az.select('practice_guess', 1).focus();
      },
      handle: refused_for_challenge
    }, 'practice_status').then(function () {
      az.set_disabled('practice_new', 1, false);
      az.select('practice_grid', 1).classList.remove('is_loading');
    });
  }

  function answer_practice(species) {
    var attempt = state.practice;
    if (!attempt) return;
    state.practice = null;
    fp.set_guess_buttons('practice_guess', false);
    fp.status('practice_status', gettext('Checking…'), 'loading');
    // The ranges are needed for "why"; fetched once per page.
    fp.load_ranges('practice_status').then(function (ranges) {
      return fp.api({
        url: fp.API + 'practice/' + attempt.id + '/answer/', method: 'POST',
        parameters: { guess: species },
        done: function (result) {
          fp.status('practice_status', '', 'ok');
          fp.set_guess_buttons('practice_guess', false, result.guess, result.correct_species);
          az.select('practice_result', 1).dataset.outcome = result.correct ? 'right' : 'wrong';
          az.set_text('practice_verdict', 1, fp.verdict_sentence(result));
          az.set_text('practice_ai', 1, fp.ai_sentence(result));
          az.set_text('practice_streak', 1, interpolate(gettext('Streak: %(n)s'), { n: result.streak }, true));
          az.set_text('practice_new', 1, gettext('Next practice flower'));
          if (ranges) {
            az.show('practice_why', 1);
            az.select('practice_why', 1).dataset.state = 'revealed';
            fp.show_why('practice', ranges, attempt.data.values);
          }
          // The guess buttons are now disabled: continue from the next step.
          az.select('practice_new', 1).focus();
          az.call_wrapped_function.refresh_progress();
        },
        handle: function (error) {
          if (!refused_for_challenge(error)) return false;
          state.practice = attempt;
          return true;
        },
        fail: function () {
          // Let the trainee try the same flower again.
          state.practice = attempt;
          fp.set_guess_buttons('practice_guess', true);
        }
      }, 'practice_status');
    });
  }

  fp.training = {
    weights_order: weights_order,
    weights_sentence: weights_sentence
  };

  az.add_wrapped_function({
    name: 'build_training',
    function: function (section, title) {
      fp.add_heading(section, 'training', title,
        gettext('An iris has three large sepals and three smaller petals. Their lengths and widths tell the species apart: study some flowers, then practise.'));
      az.call_wrapped_function.build_study(section);
      az.call_wrapped_function.build_compare(section);
      build_practice(section);
    }
  });

  // From progress.js, each time the trainee's progress is loaded.
  az.add_wrapped_function({
    name: 'show_practice_weights',
    function: function (practice) { az.set_text('practice_weights', 1, weights_sentence(practice)); }
  });

  // From challenge.js when a challenge ends: practice is open again.
  az.add_wrapped_function({
    name: 'challenge_over',
    function: function () {
      if (az.select('practice_blocked', 1).hidden) return;
      az.hide('practice_blocked', 1);
      fp.status('practice_status', gettext('The challenge is over: practice is open again.'), 'ok');
    }
  });
})();
