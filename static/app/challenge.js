/*
 * challenge.js — the Challenge section: N rounds against the AI on test
 * flowers. Each round shows only the drawing and the measurements (never
 * the photo, which would give the species away); after the guess it
 * reveals the species, the AI's guess and confidence, and where the
 * flower's measurements fall within each species' range; a summary ends it.
 */
(function () {
  'use strict';

  var MAX_ROUNDS = 50;

  function animate() { return !fp.reduced_motion(); }

  function score_text(score) {
    return interpolate(gettext('You %(you)s · AI %(ai)s'), { you: score.trainee, ai: score.ai }, true);
  }

  function outcome_text(outcome) {
    if (outcome === 'win') return gettext('You beat the AI!');
    if (outcome === 'draw') return gettext('A draw: you matched the AI.');
    if (outcome === 'loss') return gettext('The AI won this time.');
    return gettext('The challenge is over.');
  }

  function round_summary(r) {
    var args = { species: fp.species_name(r.correct_species) };
    if (r.correct && r.ai_correct) return interpolate(gettext('%(species)s: you and the AI were both right.'), args, true);
    if (r.correct) return interpolate(gettext('%(species)s: you were right, the AI was wrong.'), args, true);
    if (r.ai_correct) return interpolate(gettext('%(species)s: you were wrong, the AI was right.'), args, true);
    return interpolate(gettext('%(species)s: you and the AI were both wrong.'), args, true);
  }

  /* ---------------------------------------------------------------
   * Building
   * ------------------------------------------------------------- */

  function build_setup(section) {
    az.add_element(section, 1, { this_class: 'challenge_setup', tag: 'div' });
    az.add_element('challenge_setup', 1, { this_class: 'challenge_controls', tag: 'div' });
    az.add_input('challenge_controls', 1, {
      this_class: 'challenge_rounds', type: 'number', label: gettext('Number of rounds'),
      min: 1, max: MAX_ROUNDS, step: 1, value: 10, required: true,
      attributes: { inputmode: 'numeric' }
    });
    az.add_button('challenge_controls', 1, { this_class: 'challenge_start', text: gettext('Start challenge') });
    az.add_event('challenge_start', 1, { type: 'click', function: start });
    az.add_event('challenge_rounds', 1, {
      type: 'keydown',
      function: function (event) { if (event.key === 'Enter') start(); }
    });
    az.add_text('challenge_setup', 1, {
      this_class: 'challenge_status', tag: 'p', attributes: { 'aria-live': 'polite' }
    });
  }

  function build_play(section) {
    az.add_element(section, 1, { this_class: 'challenge_play', tag: 'div' });
    az.add_element('challenge_play', 1, { this_class: 'round_header', tag: 'div' });
    az.add_text('round_header', 1, { this_class: 'round_title', tag: 'h3', text: '' });
    az.add_text('round_header', 1, {
      this_class: 'challenge_score', tag: 'p', text: score_text({ trainee: 0, ai: 0 })
    });
    az.add_element('round_header', 1, {
      this_class: 'round_progress', tag: 'progress', attributes: { max: 1, value: 0, 'aria-label': gettext('Rounds answered') }
    });

    az.add_layout('challenge_play', 1, {
      this_class: 'round_grid', number_of_rows: 1, number_of_columns: 2,
      column_widths: ['repeat(auto-fit, minmax(min(100%, 260px), 1fr))']
    });
    fp.add_figure('round_grid_cells', 1, 'round_flower', gettext('The flower, drawn to scale'), function (el, d3) {
      fp.flower.draw_flower(el, d3, null, { placeholder: '' });
    });
    fp.add_figure('round_grid_cells', 2, 'round_chart', gettext('Its measurements, in cm'), function (el, d3) {
      fp.charts.measurement_bars(el, d3, null, {});
    });

    fp.add_guess_buttons('challenge_play', 'round_guess', answer);
    az.add_text('challenge_play', 1, {
      this_class: 'round_status', tag: 'p', attributes: { 'aria-live': 'polite' }
    });

    // The reveal keeps its space before the answer, so nothing below moves.
    az.add_element('challenge_play', 1, { this_class: 'round_reveal', tag: 'div' });
    az.add_element('round_reveal', 1, {
      this_class: 'reveal_text', tag: 'div', attributes: { 'aria-live': 'polite' }
    });
    az.add_text('reveal_text', 1, { this_class: 'reveal_verdict', tag: 'p', text: '' });
    az.add_text('reveal_text', 1, { this_class: 'reveal_ai', tag: 'p', text: '' });
    fp.add_figure('round_reveal', 1, 'round_ranges',
      gettext('Why: each species’ range of every measurement among the training flowers, and where this flower falls.'),
      function (el, d3) { fp.charts.range_strips(el, d3, null, null, {}); });
    az.add_element('round_reveal', 1, { this_class: 'reveal_reasons', tag: 'ul' });
    az.add_button('challenge_play', 1, { this_class: 'round_next', text: gettext('Next round') });
    az.add_event('round_next', 1, { type: 'click', function: next });
    az.hide('challenge_play', 1);
  }

  function build_summary(section) {
    az.add_element(section, 1, { this_class: 'challenge_summary', tag: 'div' });
    az.add_text('challenge_summary', 1, { this_class: 'summary_title', tag: 'h3', text: '' });
    az.add_text('challenge_summary', 1, { this_class: 'summary_score', tag: 'p', text: '' });
    az.add_element('challenge_summary', 1, { this_class: 'summary_rounds', tag: 'ol' });
    az.add_button('challenge_summary', 1, { this_class: 'challenge_again', text: gettext('Play again') });
    az.add_event('challenge_again', 1, {
      type: 'click',
      function: function () {
        az.hide('challenge_summary', 1);
        az.show('challenge_setup', 1);
        az.select('challenge_rounds', 1).focus();
      }
    });
    az.hide('challenge_summary', 1);
  }

  function load_ranges() {
    if (az.hold_value.ranges) return Promise.resolve(az.hold_value.ranges);
    return fp.api({
      url: fp.API + 'flowers/ranges/',
      done: function (ranges) { az.hold_value.ranges = ranges; }
    }, 'challenge_status').then(function () { return az.hold_value.ranges || null; });
  }

  /* ---------------------------------------------------------------
   * Playing
   * ------------------------------------------------------------- */

  function start() {
    var input = az.select('challenge_rounds', 1);
    var rounds = Number(input.value);
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > MAX_ROUNDS) {
      input.setAttribute('aria-invalid', 'true');
      fp.status('challenge_status', interpolate(gettext('Choose a whole number of rounds from 1 to %(max)s.'), { max: MAX_ROUNDS }, true), 'error');
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    az.set_disabled('challenge_start', 1, true);
    fp.status('challenge_status', gettext('Starting the challenge…'), 'loading');
    load_ranges().then(function () {
      return fp.api({
        url: fp.API + 'challenges/', method: 'POST', parameters: { rounds: rounds },
        done: function (challenge) {
          fp.status('challenge_status', '', 'ok');
          az.hold_value.challenge = challenge;
          az.hold_value.results = [];
          az.hide('challenge_setup', 1);
          az.hide('challenge_summary', 1);
          az.show('challenge_play', 1);
          az.set_text('challenge_score', 1, score_text(challenge.score));
          show_round(0);
        }
      }, 'challenge_status');
    }).then(function () {
      az.set_disabled('challenge_start', 1, false);
    });
  }

  function show_round(position) {
    var challenge = az.hold_value.challenge;
    var round = challenge.rounds[position];
    az.hold_value.position = position;
    az.hold_value.answering = false;
    az.set_text('round_title', 1, interpolate(gettext('Round %(n)s of %(total)s'), {
      n: position + 1, total: challenge.rounds_count
    }, true));
    var progress = az.select('round_progress', 1);
    progress.max = challenge.rounds_count;
    progress.value = position;
    fp.flower.draw_flower(az.select('round_flower', 1), window.d3, round.data.values, { animate: animate() });
    fp.charts.measurement_bars(az.select('round_chart', 1), window.d3, round.data.values, { animate: animate() });
    fp.set_guess_buttons('round_guess', true);
    az.select('round_reveal', 1).dataset.state = 'waiting';
    az.select('round_reveal', 1).dataset.outcome = '';
    az.set_text('reveal_verdict', 1, gettext('Make your guess: the answer, the AI’s guess and why appear here.'));
    az.set_text('reveal_ai', 1, '');
    az.clear('reveal_reasons', 1);
    fp.charts.range_strips(az.select('round_ranges', 1), window.d3, null, null, {});
    fp.status('round_status', '', 'ok');
    az.hide('round_next', 1);
    fp.focus('round_title', 1);
  }

  function answer(species) {
    var challenge = az.hold_value.challenge;
    var position = az.hold_value.position;
    if (!challenge || az.hold_value.answering) return;
    az.hold_value.answering = true;
    var round = challenge.rounds[position];
    fp.set_guess_buttons('round_guess', false);
    fp.status('round_status', gettext('Checking…'), 'loading');
    var key = az.hold_value.answer_key || fp.idempotency_key();
    // Kept until the answer arrives: a retry after a network error replays it.
    az.hold_value.answer_key = key;
    fp.api({
      url: fp.API + 'challenges/' + challenge.id + '/rounds/' + round.index + '/answer/',
      method: 'POST', parameters: { guess: species }, headers: { 'Idempotency-Key': key },
      done: function (result) {
        az.hold_value.answer_key = null;
        az.hold_value.results.push(result);
        reveal(result, round);
        az.call_wrapped_function.refresh_scoreboard();
      },
      fail: function () {
        az.hold_value.answering = false;
        fp.set_guess_buttons('round_guess', true);
      }
    }, 'round_status');
  }

  function reveal(result, round) {
    fp.status('round_status', '', 'ok');
    fp.set_guess_buttons('round_guess', false, result.guess, result.correct_species);
    var box = az.select('round_reveal', 1);
    box.dataset.state = 'revealed';
    box.dataset.outcome = result.correct ? 'right' : 'wrong';
    az.set_text('reveal_verdict', 1, fp.verdict_sentence(result));
    az.set_text('reveal_ai', 1, fp.ai_sentence(result) + ' ' + score_text(result.score));
    az.set_text('challenge_score', 1, score_text(result.score));
    az.select('round_progress', 1).value = result.answered;
    var ranges = az.hold_value.ranges;
    if (ranges) {
      var placement = fp.charts.range_strips(az.select('round_ranges', 1), window.d3, ranges, round.data.values, { animate: animate() });
      az.clear('reveal_reasons', 1);
      placement.features.forEach(function (feature) {
        az.add_text('reveal_reasons', 1, { this_class: 'reveal_reason', tag: 'li', text: fp.charts.placement_sentence(feature) });
      });
    }
    az.hold_value.finished = result.finished;
    az.hold_value.outcome = result.outcome;
    az.set_text('round_next', 1, result.finished ? gettext('See the result') : gettext('Next round'));
    az.show('round_next', 1);
    az.select('round_next', 1).focus();
  }

  function next() {
    if (az.hold_value.finished) {
      summary();
      return;
    }
    show_round(az.hold_value.position + 1);
  }

  function summary() {
    var results = az.hold_value.results;
    var last = results[results.length - 1];
    az.hide('challenge_play', 1);
    az.show('challenge_summary', 1);
    var box = az.select('challenge_summary', 1);
    box.dataset.outcome = last.outcome || '';
    az.set_text('summary_title', 1, outcome_text(last.outcome));
    az.set_text('summary_score', 1, interpolate(ngettext(
      'Final score over %(n)s round: you %(you)s, the AI %(ai)s.',
      'Final score over %(n)s rounds: you %(you)s, the AI %(ai)s.', last.rounds
    ), { n: last.rounds, you: last.score.trainee, ai: last.score.ai }, true));
    az.clear('summary_rounds', 1);
    results.forEach(function (r) {
      az.add_text('summary_rounds', 1, {
        this_class: 'summary_round', tag: 'li', text: round_summary(r),
        attributes: { 'data-you': r.correct ? 'right' : 'wrong', 'data-ai': r.ai_correct ? 'right' : 'wrong' }
      });
    });
    az.hold_value.challenge = null;
    fp.focus('summary_title', 1);
  }

  az.add_wrapped_function({
    name: 'build_challenge',
    function: function (section) {
      az.add_text(section, 1, {
        this_class: 'challenge_title', tag: 'h2', text: gettext('Challenge'),
        attributes: { id: 'challenge_title' }
      });
      az.add_text(section, 1, {
        this_class: 'challenge_intro', tag: 'p',
        text: gettext('You and the AI guess the same flowers, ones the AI never trained on. One guess per round; the higher score wins.')
      });
      build_setup(section);
      build_play(section);
      build_summary(section);
    }
  });
})();
