/*
 * challenge.js — the Challenge section: N rounds against an AI opponent of
 * the trainee's choice (its level, GET challenges/options/) on test flowers.
 * This file holds the section's state and talks to the API; the words are
 * in challenge_words.js, the elements in challenge_view.js. After each
 * guess the reveal shows the species, the AI's guess and confidence, and
 * where the flower's measurements fall within each species' range; a
 * summary ends it. A challenge left open (a reload, another tab) continues
 * where it stopped; giving up counts as a loss.
 */
(function () {
  'use strict';

  var view = fp.challenge_view;
  var words = fp.challenge;

  var state = {
    options: null,      // GET challenges/options/: the levels and the round limits
    challenge: null,    // the session being played (its rounds and score); null between challenges
    results: {},        // round index -> the answer's result, for the summary
    position: 0,        // the round on screen: its position in challenge.rounds
    answering: false,   // an answer is on its way: further guesses are ignored
    answer_key: null,   // that answer's Idempotency-Key, kept so a retry replays it
    finished: false,    // the last answer finished the challenge
    ranges: null        // the species' ranges (fp.load_ranges), for the "why"
  };

  function load_ranges() {
    return fp.load_ranges('challenge_status').then(function (ranges) { state.ranges = ranges; });
  }

  function load_options(then) {
    return fp.api({
      url: fp.API + 'challenges/options/',
      done: function (options) {
        state.options = options;
        then(options);
      }
    }, 'challenge_status');
  }

  function begin(challenge, results) {
    state.challenge = challenge;
    state.results = results || {};
    state.finished = false;
    view.show_play(challenge);
  }

  function show_round(position, focus) {
    state.position = position;
    state.answering = false;
    view.show_round(state.challenge, state.challenge.rounds[position], focus);
  }

  function start() {
    var options = state.options;
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
    var level = view.selected_level();
    // No playable level: the server's default, and its explanation of why not.
    if (level) parameters.level = level;
    az.set_disabled('challenge_start', 1, true);
    fp.status('challenge_status', gettext('Starting the challenge…'), 'loading');
    load_ranges().then(function () {
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
            load_options(function (fresh) { if (fresh.open_session) resume(fresh.open_session, 'open'); });
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
    return load_ranges().then(function () {
      return fp.api({
        url: fp.API + 'challenges/' + session_id + '/',
        done: function (session) {
          if (session.status !== 'active') return;
          var position = words.resume_position(session);
          begin(session, words.results_from_session(session));
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

  // Given up in another tab, or closed for being left too long: show how it ended.
  function show_how_it_ended(challenge) {
    fp.api({ url: fp.API + 'challenges/' + challenge.id + '/', done: summary }, 'round_status');
  }

  function answer(species) {
    var challenge = state.challenge;
    if (!challenge || state.answering) return;
    state.answering = true;
    var round = challenge.rounds[state.position];
    fp.set_guess_buttons('round_guess', false);
    fp.status('round_status', gettext('Checking…'), 'loading');
    // Kept until the answer arrives: a retry after a network error replays it.
    state.answer_key = state.answer_key || fp.idempotency_key();
    fp.api({
      url: fp.API + 'challenges/' + challenge.id + '/rounds/' + round.index + '/answer/',
      method: 'POST', parameters: { guess: species }, headers: { 'Idempotency-Key': state.answer_key },
      done: function (result) {
        state.answer_key = null;
        state.results[round.index] = result;
        state.finished = result.finished;
        challenge.score = result.score;
        if (result.finished) {
          Object.assign(challenge, {
            status: 'finished', outcome: result.outcome, answered_count: result.answered
          });
        }
        az.set_text('challenge_note', 1, '');  // "Welcome back" has served its purpose
        view.show_reveal(result, round, state.ranges);
        az.call_wrapped_function.refresh_scoreboard();
        if (result.finished) az.call_wrapped_function.refresh_progress();
      },
      handle: function (error) {
        if (error.code !== 'session_closed') return false;
        state.answer_key = null;
        fp.status('round_status', error.message, 'error');
        show_how_it_ended(challenge);
        return true;
      },
      fail: function () {
        state.answering = false;
        fp.set_guess_buttons('round_guess', true);
      }
    }, 'round_status');
  }

  function next() {
    if (state.finished) summary(state.challenge);
    else show_round(state.position + 1, true);
  }

  function give_up() {
    var challenge = state.challenge;
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
      // Finished or closed meanwhile.
      handle: function (error) {
        if (error.code !== 'session_closed') return false;
        show_how_it_ended(challenge);
        return true;
      }
    }, 'round_status').then(function () {
      az.set_disabled('give_up_yes', 1, false);
    });
  }

  function summary(session) {
    var known = state.results;
    state.challenge = null;
    view.show_summary(session, known);
    az.call_wrapped_function.challenge_over();
  }

  az.add_wrapped_function({
    name: 'build_challenge',
    function: function (section, title) {
      fp.add_heading(section, 'challenge', title,
        gettext('You and the AI guess the same flowers, ones the AI never trained on. Choose how strong an AI to face; one guess per round; the higher score wins.'));
      view.build(section, { start: start, answer: answer, next: next, give_up: give_up });
      load_options(function (options) {
        view.show_options(options);
        if (options.open_session) resume(options.open_session, 'reload');
      });
    }
  });
})();
