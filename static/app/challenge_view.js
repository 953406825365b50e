/*
 * challenge_view.js — the Challenge section's elements: the setup (the
 * opponents and the number of rounds), a round (the drawing and the chart,
 * never the photo, which would give the species away; the guess buttons;
 * the reveal), giving up, and the summary. It draws what it is given and
 * keeps no state: challenge.js holds the state and hands over the handlers
 * (on.start, on.answer, on.next, on.give_up).
 */
(function () {
  'use strict';

  var words = fp.challenge;
  function build_setup(section, on) {
    az.add_element(section, 1, { this_class: 'challenge_setup', tag: 'div' });
    // The opponents arrive with the options; a fieldset of radio buttons,
    // so each level's description and accuracy is read with its name.
    az.add_element('challenge_setup', 1, { this_class: 'level_picker', tag: 'fieldset' });
    az.add_text('level_picker', 1, { this_class: 'level_legend', tag: 'legend', text: gettext('Your opponent') });
    az.add_element('level_picker', 1, { this_class: 'level_choices', tag: 'div' });
    az.add_text('level_choices', 1, { this_class: 'level_loading', tag: 'p', text: gettext('Loading the opponents…') });

    az.add_element('challenge_setup', 1, { this_class: 'challenge_controls', tag: 'div' });
    az.add_input('challenge_controls', 1, {
      this_class: 'challenge_rounds', type: 'number', label: gettext('Number of rounds'),
      min: 1, step: 1, required: true,
      attributes: { inputmode: 'numeric' }
    });
    az.add_button('challenge_controls', 1, { this_class: 'challenge_start', text: gettext('Start challenge'), disabled: true });
    az.add_event('challenge_start', 1, { type: 'click', function: on.start });
    az.add_event('challenge_rounds', 1, {
      type: 'keydown',
      function: function (event) { if (event.key === 'Enter') on.start(); }
    });
    az.add_text('challenge_setup', 1, {
      this_class: 'challenge_status', tag: 'p', attributes: { 'aria-live': 'polite' }
    });
  }

  function build_play(section, on) {
    az.add_element(section, 1, { this_class: 'challenge_play', tag: 'div' });
    // Where "Welcome back" is said after a reload.
    az.add_text('challenge_play', 1, {
      this_class: 'challenge_note', tag: 'p', attributes: { 'aria-live': 'polite' }
    });
    az.add_element('challenge_play', 1, { this_class: 'round_header', tag: 'div' });
    az.add_element('round_header', 1, { this_class: 'round_heading', tag: 'div' });
    az.add_text('round_heading', 1, { this_class: 'round_title', tag: 'h3', text: '' });
    az.add_text('round_heading', 1, { this_class: 'round_opponent', tag: 'p', text: '' });
    az.add_text('round_header', 1, {
      this_class: 'challenge_score', tag: 'p', text: words.score_text({ trainee: 0, ai: 0 })
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

    fp.add_guess_buttons('challenge_play', 'round_guess', on.answer);
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
    fp.add_why('round_reveal', 1, 'round');

    az.add_element('challenge_play', 1, { this_class: 'round_actions', tag: 'div' });
    az.add_button('round_actions', 1, { this_class: 'round_next', text: gettext('Next round') });
    az.add_event('round_next', 1, { type: 'click', function: on.next });
    build_give_up(on);
    az.hide('challenge_play', 1);
  }

  function close_give_up() {
    az.hide('give_up_confirm', 1);
    az.select('give_up', 1).focus();
  }

  // Giving up asks first, in the page (not window.confirm): the question and
  // both answers are ordinary, focusable, translated elements.
  function build_give_up(on) {
    az.add_button('round_actions', 1, { this_class: 'give_up', text: gettext('Give up') });
    az.add_event('give_up', 1, {
      type: 'click',
      function: function () {
        az.show('give_up_confirm', 1);
        az.select('give_up_no', 1).focus();
      }
    });
    az.add_element('challenge_play', 1, {
      this_class: 'give_up_confirm', tag: 'div',
      attributes: { role: 'group', 'aria-labelledby': 'give_up_question' }
    });
    az.add_text('give_up_confirm', 1, {
      this_class: 'give_up_question', tag: 'p',
      text: gettext('Give up this challenge? Every round you have not answered counts as wrong for you, and the challenge counts as a loss.'),
      attributes: { id: 'give_up_question' }
    });
    az.add_element('give_up_confirm', 1, { this_class: 'give_up_buttons', tag: 'div' });
    az.add_button('give_up_buttons', 1, { this_class: 'give_up_yes', text: gettext('Yes, give up') });
    az.add_button('give_up_buttons', 1, { this_class: 'give_up_no', text: gettext('Keep playing') });
    az.add_event('give_up_yes', 1, { type: 'click', function: on.give_up });
    az.add_event('give_up_no', 1, { type: 'click', function: close_give_up });
    az.add_event('give_up_confirm', 1, {
      type: 'keydown',
      function: function (event) { if (event.key === 'Escape') close_give_up(); }
    });
    az.hide('give_up_confirm', 1);
  }

  function build_summary(section) {
    az.add_element(section, 1, { this_class: 'challenge_summary', tag: 'div' });
    az.add_text('challenge_summary', 1, { this_class: 'summary_title', tag: 'h3', text: '' });
    az.add_text('challenge_summary', 1, { this_class: 'summary_level', tag: 'p', text: '' });
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

  // The opponents as radio buttons (the server's default chosen when it can
  // be played) and the number of rounds within the server's limit.
  function show_options(options) {
    az.clear('level_choices', 1);
    var chosen = words.initial_level(options);
    (options.levels || []).forEach(function (level) {
      var radio = az.add_input('level_choices', 1, {
        this_class: 'level_choice', type: 'radio', label: words.level_label(level), value: level.level,
        attributes: { name: 'challenge_level', 'data-level': level.level }
      });
      radio.checked = level.level === chosen;
      radio.disabled = !level.available;
      radio.parentNode.classList.toggle('is_unavailable', !level.available);
      radio.parentNode.dataset.level = level.level;
    });
    if (!(options.levels || []).length) {
      az.add_text('level_choices', 1, { this_class: 'level_loading', tag: 'p', text: gettext('No opponent is available yet.') });
    }
    var input = az.select('challenge_rounds', 1);
    input.max = String(options.max_rounds);
    input.value = String(Math.min(options.default_rounds, options.max_rounds));
    if (!options.model_version) {
      fp.status('challenge_status', gettext('The AI has no model yet, so there is no one to play against; ask a manager to train one.'), 'ok');
    }
    az.set_disabled('challenge_start', 1, false);
  }

  function selected_level() {
    var count = az.number_of('level_choice');
    for (var i = 1; i <= count; i += 1) {
      var radio = az.select('level_choice', i);
      if (radio.checked && !radio.disabled) return radio.value;
    }
    return null;
  }

  // From the setup (or the last summary) to playing `challenge`.
  function show_play(challenge) {
    az.hide('challenge_setup', 1);
    az.hide('challenge_summary', 1);
    az.hide('give_up_confirm', 1);
    az.show('challenge_play', 1);
    az.show('give_up', 1);
    az.set_text('round_opponent', 1, words.opponent_text(challenge));
    az.set_text('challenge_score', 1, words.score_text(challenge.score));
  }

  // The round waiting for a guess; focus moves to its title when asked.
  function show_round(challenge, round, focus) {
    az.set_text('round_title', 1, interpolate(gettext('Round %(n)s of %(total)s'), {
      n: round.index, total: challenge.rounds_count
    }, true));
    var progress = az.select('round_progress', 1);
    progress.max = challenge.rounds_count;
    progress.value = round.index - 1;
    fp.show_flower('round', round.data.values);
    fp.set_guess_buttons('round_guess', true);
    az.select('round_reveal', 1).dataset.state = 'waiting';
    az.select('round_reveal', 1).dataset.outcome = '';
    az.set_text('reveal_verdict', 1, gettext('Make your guess: the answer, the AI’s guess and why appear here.'));
    az.set_text('reveal_ai', 1, '');
    fp.show_why('round', null, null);
    fp.status('round_status', '', 'ok');
    az.hide('round_next', 1);
    if (focus) fp.focus('round_title', 1);
  }

  // An answer's result: the species, the AI's guess, why, the score.
  function show_reveal(result, round, ranges) {
    fp.status('round_status', '', 'ok');
    fp.set_guess_buttons('round_guess', false, result.guess, result.correct_species);
    var box = az.select('round_reveal', 1);
    box.dataset.state = 'revealed';
    box.dataset.outcome = result.correct ? 'right' : 'wrong';
    az.set_text('reveal_verdict', 1, fp.verdict_sentence(result));
    az.set_text('reveal_ai', 1, fp.ai_sentence(result) + ' ' + words.score_text(result.score));
    az.set_text('challenge_score', 1, words.score_text(result.score));
    az.select('round_progress', 1).value = result.answered;
    if (ranges) fp.show_why('round', ranges, round.data.values);
    if (result.finished) az.hide('give_up', 1);
    az.set_text('round_next', 1, result.finished ? gettext('See the result') : gettext('Next round'));
    az.show('round_next', 1);
    az.select('round_next', 1).focus();
  }

  // session: a session detail (rounds included) or the challenge just
  // played; known: its answers' results by round index.
  function show_summary(session, known) {
    var from_server = words.results_from_session(session);
    az.hide('challenge_play', 1);
    az.hide('give_up_confirm', 1);
    az.show('challenge_summary', 1);
    var box = az.select('challenge_summary', 1);
    box.dataset.outcome = session.outcome || '';
    box.dataset.status = session.status || '';
    az.set_text('summary_title', 1, words.outcome_text(session.outcome, session.status));
    az.set_text('summary_level', 1, interpolate(gettext('You played against the %(level)s.'), {
      level: words.opponent_name(session)
    }, true));
    var score = session.score || { trainee: 0, ai: 0 };
    var rounds = session.rounds_count;
    var args = { n: rounds, answered: session.answered_count, you: score.trainee, ai: score.ai };
    az.set_text('summary_score', 1, session.status === 'abandoned'
      ? interpolate(ngettext(
        'You gave up after %(answered)s of %(n)s round (you %(you)s, the AI %(ai)s); the rounds left count as wrong for you.',
        'You gave up after %(answered)s of %(n)s rounds (you %(you)s, the AI %(ai)s); the rounds left count as wrong for you.', rounds
      ), args, true)
      : interpolate(ngettext(
        'Final score over %(n)s round: you %(you)s, the AI %(ai)s.',
        'Final score over %(n)s rounds: you %(you)s, the AI %(ai)s.', rounds
      ), args, true));
    az.clear('summary_rounds', 1);
    (session.rounds || []).forEach(function (round) {
      var r = from_server[round.index] || known[round.index];
      az.add_text('summary_rounds', 1, r ? {
        this_class: 'summary_round', tag: 'li', text: words.round_summary(r),
        attributes: { 'data-you': r.correct ? 'right' : 'wrong', 'data-ai': r.ai_correct ? 'right' : 'wrong' }
      } : {
        this_class: 'summary_round', tag: 'li', text: gettext('Not answered: it counts as wrong for you.'),
        attributes: { 'data-you': 'unanswered' }
      });
    });
    az.set_text('challenge_note', 1, '');
    fp.focus('summary_title', 1);
  }

  fp.challenge_view = {
    build: function (section, on) {
      build_setup(section, on);
      build_play(section, on);
      build_summary(section);
    },
    show_options: show_options,
    selected_level: selected_level,
    show_play: show_play,
    show_round: show_round,
    show_reveal: show_reveal,
    show_summary: show_summary
  };
})();
