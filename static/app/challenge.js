/*
 * challenge.js — the Challenge section: N rounds against an AI opponent of
 * the trainee's choice (its level, GET challenges/options/) on test flowers.
 * Each round shows only the drawing and the measurements (never the photo,
 * which would give the species away); after the guess it reveals the
 * species, the AI's guess and confidence, and where the flower's
 * measurements fall within each species' range; a summary ends it. A
 * challenge left open (a reload, another tab) continues where it stopped;
 * giving up counts as a loss.
 */
(function (global) {
  'use strict';

  function animate() { return !fp.reduced_motion(); }

  /* ---------------------------------------------------------------
   * Pure logic (exported as fp.challenge for the node tests)
   * ------------------------------------------------------------- */

  // "Looks only at the sepals." -> "looks only at the sepals", to sit inside
  // a sentence. Only a capital followed by a small letter is lowered, so a
  // leading acronym ("AI ...") and scripts without case are left alone.
  function description_phrase(description) {
    var text = String(description || '').trim().replace(/[.。]\s*$/, '');
    if (/^[A-Z][a-z]/.test(text)) text = text.charAt(0).toLowerCase() + text.slice(1);
    return text;
  }

  // "Apprentice — looks only at the sepals — right 77% of the time on the test flowers"
  function level_label(level) {
    var parts = [level.name || fp.level_name(level.level)];
    var description = description_phrase(level.description);
    if (description) parts.push(description);
    if (!level.available) {
      parts.push(gettext('not trained yet'));
    } else if (level.accuracy === null || level.accuracy === undefined) {
      parts.push(gettext('accuracy not measured yet'));
    } else {
      parts.push(interpolate(gettext('right %(percent)s of the time on the test flowers'), {
        percent: fp.percent(level.accuracy)
      }, true));
    }
    return parts.join(' — ');
  }

  // The level selected at first: the server's default when it can be
  // played, else the first that can; null when none can.
  function initial_level(options) {
    var levels = (options && options.levels) || [];
    var playable = levels.filter(function (l) { return l.available; });
    var preferred = playable.filter(function (l) { return l.level === options.default_level; })[0];
    return (preferred || playable[0] || { level: null }).level;
  }

  // Where a challenge continues: the position (0-based, in session.rounds)
  // of the first unanswered round; -1 when every round is answered.
  function resume_position(session) {
    var rounds = (session && session.rounds) || [];
    for (var i = 0; i < rounds.length; i += 1) {
      if (!rounds[i].answered) return i;
    }
    return -1;
  }

  // Round index -> result, for the rounds a session detail says are answered.
  function results_from_session(session) {
    var results = {};
    ((session && session.rounds) || []).forEach(function (r) {
      if (r.answered && r.result) results[r.index] = Object.assign({ round: r.index }, r.result);
    });
    return results;
  }

  function score_text(score) {
    return interpolate(gettext('You %(you)s · AI %(ai)s'), { you: score.trainee, ai: score.ai }, true);
  }

  function outcome_text(outcome, status) {
    if (status === 'abandoned') return gettext('You gave up: it counts as a loss.');
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

  function opponent_text(challenge) {
    var name = challenge.level_name || fp.level_name(challenge.level || 'botanist');
    return interpolate(gettext('Against the %(level)s'), { level: name }, true);
  }

  /* ---------------------------------------------------------------
   * Building
   * ------------------------------------------------------------- */

  function build_setup(section) {
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
    // Where "Welcome back" is said after a reload.
    az.add_text('challenge_play', 1, {
      this_class: 'challenge_note', tag: 'p', attributes: { 'aria-live': 'polite' }
    });
    az.add_element('challenge_play', 1, { this_class: 'round_header', tag: 'div' });
    az.add_element('round_header', 1, { this_class: 'round_heading', tag: 'div' });
    az.add_text('round_heading', 1, { this_class: 'round_title', tag: 'h3', text: '' });
    az.add_text('round_heading', 1, { this_class: 'round_opponent', tag: 'p', text: '' });
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
    fp.add_why('round_reveal', 1, 'round');

    az.add_element('challenge_play', 1, { this_class: 'round_actions', tag: 'div' });
    az.add_button('round_actions', 1, { this_class: 'round_next', text: gettext('Next round') });
    az.add_event('round_next', 1, { type: 'click', function: next });
    build_give_up();
    az.hide('challenge_play', 1);
  }

  // Giving up asks first, in the page (not window.confirm): the question and
  // both answers are ordinary, focusable, translated elements.
  function build_give_up() {
    az.add_button('round_actions', 1, { this_class: 'give_up', text: gettext('Give up') });
    az.add_event('give_up', 1, { type: 'click', function: ask_give_up });
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
    az.add_event('give_up_yes', 1, { type: 'click', function: give_up });
    az.add_event('give_up_no', 1, {
      type: 'click',
      function: function () {
        az.hide('give_up_confirm', 1);
        az.select('give_up', 1).focus();
      }
    });
    az.add_event('give_up_confirm', 1, {
      type: 'keydown',
      function: function (event) {
        if (event.key === 'Escape') { az.hide('give_up_confirm', 1); az.select('give_up', 1).focus(); }
      }
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

  /* ---------------------------------------------------------------
   * Options: the opponents, the number of rounds, an open challenge
   * ------------------------------------------------------------- */

  function load_options() {
    return fp.api({
      url: fp.API + 'challenges/options/',
      done: function (options) {
        az.hold_value.challenge_options = options;
        show_options(options);
        if (options.open_session) resume(options.open_session, 'reload');
      }
    }, 'challenge_status');
  }

  function show_options(options) {
    az.clear('level_choices', 1);
    var chosen = initial_level(options);
    (options.levels || []).forEach(function (level) {
      var radio = az.add_input('level_choices', 1, {
        this_class: 'level_choice', type: 'radio', label: level_label(level), value: level.level,
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

  /* ---------------------------------------------------------------
   * Playing
   * ------------------------------------------------------------- */

  function begin(challenge, results) {
    az.hold_value.challenge = challenge;
    az.hold_value.results = results || {};
    az.hold_value.finished = false;
    az.hide('challenge_setup', 1);
    az.hide('challenge_summary', 1);
    az.hide('give_up_confirm', 1);
    az.show('challenge_play', 1);
    az.show('give_up', 1);
    az.set_text('round_opponent', 1, opponent_text(challenge));
    az.set_text('challenge_score', 1, score_text(challenge.score));
  }

  function start() {
    var options = az.hold_value.challenge_options;
    if (!options) return;
    var input = az.select('challenge_rounds', 1);
    var rounds = Number(input.value);
    var max = options.max_rounds;
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > max) {
      input.setAttribute('aria-invalid', 'true');
      fp.status('challenge_status', interpolate(gettext('Choose a whole number of rounds from 1 to %(max)s.'), { max: max }, true), 'error');
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    var parameters = { rounds: rounds };
    var level = selected_level();
    // No playable level: the server's default, and its explanation of why not.
    if (level) parameters.level = level;
    az.set_disabled('challenge_start', 1, true);
    fp.status('challenge_status', gettext('Starting the challenge…'), 'loading');
    fp.load_ranges('challenge_status').then(function () {
      return fp.api({
        url: fp.API + 'challenges/', method: 'POST', parameters: parameters,
        done: function (challenge) {
          fp.status('challenge_status', '', 'ok');
          az.set_text('challenge_note', 1, '');
          begin(challenge, {});
          show_round(0, true);
        },
        // Already playing one (in another tab, say): continue that one.
        handle: function (error) {
          if (error.code !== 'challenge_in_progress') return false;
          fp.status('challenge_status', '', 'ok');
          var open = error.fields && error.fields.session;
          if (open && open.length) {
            resume(Number(open[0]), 'open');
          } else {
            // Which one is open: the options say.
            fp.api({
              url: fp.API + 'challenges/options/',
              done: function (options) {
                az.hold_value.challenge_options = options;
                if (options.open_session) resume(options.open_session, 'open');
              }
            }, 'challenge_status');
          }
          return true;
        }
      }, 'challenge_status');
    }).then(function () {
      az.set_disabled('challenge_start', 1, false);
    });
  }

  // why: 'reload' (the page opened with a challenge open) or 'open' (a
  // start was refused because one is open).
  function resume(session_id, why) {
    return fp.load_ranges('challenge_status').then(function () {
      return fp.api({
        url: fp.API + 'challenges/' + session_id + '/',
        done: function (session) {
          if (session.status !== 'active') return;
          var position = resume_position(session);
          begin(session, results_from_session(session));
          if (position === -1) {
            // Answered to the end yet still open (cannot happen today): close it by showing it.
            summary(session);
            return;
          }
          var args = { n: session.rounds[position].index };
          az.set_text('challenge_note', 1, why === 'open'
            ? interpolate(gettext('You already have a challenge open: it continues at round %(n)s.'), args, true)
            : interpolate(gettext('Welcome back: your challenge continues at round %(n)s.'), args, true));
          // On a reload, do not pull focus away from the top of the page.
          show_round(position, why === 'open');
          az.select('round_progress', 1).value = session.answered_count;
        }
      }, 'challenge_status');
    });
  }

  function show_round(position, focus) {
    var challenge = az.hold_value.challenge;
    var round = challenge.rounds[position];
    az.hold_value.position = position;
    az.hold_value.answering = false;
    az.set_text('round_title', 1, interpolate(gettext('Round %(n)s of %(total)s'), {
      n: round.index, total: challenge.rounds_count
    }, true));
    var progress = az.select('round_progress', 1);
    progress.max = challenge.rounds_count;
    progress.value = round.index - 1;
    fp.flower.draw_flower(az.select('round_flower', 1), global.d3, round.data.values, { animate: animate() });
    fp.charts.measurement_bars(az.select('round_chart', 1), global.d3, round.data.values, { animate: animate() });
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
        az.hold_value.results[round.index] = result;
        az.set_text('challenge_note', 1, '');  // "Welcome back" has served its purpose
        reveal(result, round);
        az.call_wrapped_function.refresh_scoreboard();
        if (result.finished) az.call_wrapped_function.refresh_progress();
      },
      // Given up in another tab, or closed for being left too long: show how it ended.
      handle: function (error) {
        if (error.code !== 'session_closed') return false;
        az.hold_value.answer_key = null;
        fp.status('round_status', error.message, 'error');
        fp.api({ url: fp.API + 'challenges/' + challenge.id + '/', done: summary }, 'round_status');
        return true;
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
    az.hold_value.challenge.score = result.score;
    az.select('round_progress', 1).value = result.answered;
    if (az.hold_value.ranges) fp.show_why('round', az.hold_value.ranges, round.data.values);
    az.hold_value.finished = result.finished;
    if (result.finished) {
      Object.assign(az.hold_value.challenge, {
        status: 'finished', outcome: result.outcome, score: result.score, answered_count: result.answered
      });
      az.hide('give_up', 1);
    }
    az.set_text('round_next', 1, result.finished ? gettext('See the result') : gettext('Next round'));
    az.show('round_next', 1);
    az.select('round_next', 1).focus();
  }

  function next() {
    if (az.hold_value.finished) {
      summary(az.hold_value.challenge);
      return;
    }
    show_round(az.hold_value.position + 1, true);
  }

  function ask_give_up() {
    az.show('give_up_confirm', 1);
    az.select('give_up_no', 1).focus();
  }

  function give_up() {
    var challenge = az.hold_value.challenge;
    if (!challenge) return;
    az.set_disabled('give_up_yes', 1, true);
    fp.status('round_status', gettext('Giving up…'), 'loading');
    fp.api({
      url: fp.API + 'challenges/' + challenge.id + '/give-up/', method: 'POST',
      done: function (session) {
        fp.status('round_status', '', 'ok');
        summary(session);
        az.call_wrapped_function.refresh_scoreboard();
        az.call_wrapped_function.refresh_progress();
      },
      // Finished or closed meanwhile: show how it ended.
      handle: function (error) {
        if (error.code !== 'session_closed') return false;
        fp.api({ url: fp.API + 'challenges/' + challenge.id + '/', done: summary }, 'round_status');
        return true;
      }
    }, 'round_status').then(function () {
      az.set_disabled('give_up_yes', 1, false);
    });
  }

  // session: a session detail (rounds included) or the challenge being
  // played, whose answers are in az.hold_value.results.
  function summary(session) {
    var known = az.hold_value.results || {};
    var from_server = results_from_session(session);
    az.hide('challenge_play', 1);
    az.hide('give_up_confirm', 1);
    az.show('challenge_summary', 1);
    var box = az.select('challenge_summary', 1);
    box.dataset.outcome = session.outcome || '';
    box.dataset.status = session.status || '';
    az.set_text('summary_title', 1, outcome_text(session.outcome, session.status));
    az.set_text('summary_level', 1, interpolate(gettext('You played against the %(level)s.'), {
      level: session.level_name || fp.level_name(session.level || 'botanist')
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
        this_class: 'summary_round', tag: 'li', text: round_summary(r),
        attributes: { 'data-you': r.correct ? 'right' : 'wrong', 'data-ai': r.ai_correct ? 'right' : 'wrong' }
      } : {
        this_class: 'summary_round', tag: 'li', text: gettext('Not answered: it counts as wrong for you.'),
        attributes: { 'data-you': 'unanswered' }
      });
    });
    az.hold_value.challenge = null;
    az.set_text('challenge_note', 1, '');
    az.call_wrapped_function.challenge_over();
    fp.focus('summary_title', 1);
  }

  fp.challenge = {
    description_phrase: description_phrase,
    level_label: level_label,
    initial_level: initial_level,
    resume_position: resume_position,
    results_from_session: results_from_session,
    outcome_text: outcome_text,
    round_summary: round_summary
  };

  az.add_wrapped_function({
    name: 'build_challenge',
    function: function (section) {
      az.add_text(section, 1, {
        this_class: 'challenge_title', tag: 'h2', text: gettext('Challenge'),
        attributes: { id: 'challenge_title' }
      });
      az.add_text(section, 1, {
        this_class: 'challenge_intro', tag: 'p',
        text: gettext('You and the AI guess the same flowers, ones the AI never trained on. Choose how strong an AI to face; one guess per round; the higher score wins.')
      });
      build_setup(section);
      build_play(section);
      build_summary(section);
      load_options();
    }
  });
})(window);
