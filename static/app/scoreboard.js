/*
 * scoreboard.js — the Scoreboard section: every trainee's results against
 * the AI, as a chart and a table, with the current trainee highlighted.
 *
 * It stays live by polling every POLL_MS with If-None-Match: an unchanged
 * scoreboard costs a 304 with no body. fetch is used directly (not
 * az.call_api) because a 304 is the normal answer here, not an error.
 */
(function () {
  'use strict';

  var POLL_MS = 3000;
  var CHART_ROWS = 6;
  var state = {
    period: fp.PERIODS[0],  // the period shown: the server's longest first
    etag: null,             // the last board's ETag, sent as If-None-Match
    timer: null,            // the next poll's timeout
    inflight: false,        // a poll is on its way
    again: false,           // poll again as soon as it is back (asked for meanwhile)
    stopped: false,         // the session ended: no more polling
    me_request: 0           // the latest GET me/'s number: only its answer is shown
  };

  function score_note(board) {
    if (board.min_rounds === null || board.min_rounds === undefined) return '';
    return interpolate(ngettext(
      'Ranked by score: a cautious accuracy that grows with the rounds played. At least %(n)s round to be ranked.',
      'Ranked by score: a cautious accuracy that grows with the rounds played. At least %(n)s rounds to be ranked.',
      board.min_rounds
    ), { n: board.min_rounds }, true);
  }

  /* ---------------------------------------------------------------
   * Building
   * ------------------------------------------------------------- */

  function build(section, title) {
    fp.add_heading(section, 'scoreboard', title,
      gettext('How every trainee does against the AI on the same flowers. It updates by itself.'));
    az.add_element(section, 1, { this_class: 'board_controls', tag: 'div' });
    az.add_dropdown('board_controls', 1, {
      this_class: 'board_period', label: gettext('Period'), value: state.period,
      options: fp.PERIODS.map(function (period) { return { value: period, label: fp.period_name(period) }; })
    });
    az.add_event('board_period', 1, {
      type: 'change',
      function: function () {
        state.period = az.grab_value('board_period', 1);
        state.etag = null;
        fp.status('board_status', gettext('Loading…'), 'loading');
        poll();
      }
    });
    // Not a live region: it changes every few seconds. Errors switch it to role=alert.
    az.add_text('board_controls', 1, { this_class: 'board_status', tag: 'p', text: gettext('Loading…') });
    az.select('board_status', 1).dataset.kind = 'loading';

    az.add_element(section, 1, { this_class: 'board_summary', tag: 'div' });
    az.add_text('board_summary', 1, { this_class: 'board_ai', tag: 'p', text: '' });
    az.add_text('board_summary', 1, { this_class: 'board_you', tag: 'p', text: '' });
    az.add_text('board_summary', 1, { this_class: 'board_note', tag: 'p', text: '' });

    fp.add_figure(section, 1, 'board_chart', gettext('Share of rounds right: each trainee, the AI on the same rounds, and the AI overall.'), function (el, d3) {
      fp.charts.scoreboard_chart(el, d3, null, { current_user_id: fp.config.user_id, limit: CHART_ROWS });
    });

    fp.scoreboard.build_table(section);
  }

  /* ---------------------------------------------------------------
   * Rendering
   * ------------------------------------------------------------- */

  function render(board) {
    az.set_text('board_note', 1, score_note(board));
    az.set_text('board_ai', 1, board.ai.rounds
      ? interpolate(ngettext(
        'The AI got %(accuracy)s of %(rounds)s round right.',
        'The AI got %(accuracy)s of %(rounds)s rounds right.', board.ai.rounds
      ), { accuracy: fp.percent(board.ai.accuracy), rounds: board.ai.rounds }, true)
      : gettext('No challenge rounds played in this period yet.'));

    fp.charts.scoreboard_chart(az.select('board_chart', 1), window.d3, board, {
      current_user_id: fp.config.user_id, limit: CHART_ROWS
    });

    fp.scoreboard.render_table(board);
  }

  function render_me(me) {
    var s = me.stats || {};
    if (!s.rounds) {
      az.set_text('board_you', 1, gettext('You have not played a challenge yet.'));
      return;
    }
    az.set_text('board_you', 1, interpolate(ngettext(
      'You: %(accuracy)s right over %(rounds)s round (the AI: %(ai)s); %(wins)s won, %(draws)s drawn, %(losses)s lost; best streak %(streak)s.',
      'You: %(accuracy)s right over %(rounds)s rounds (the AI: %(ai)s); %(wins)s won, %(draws)s drawn, %(losses)s lost; best streak %(streak)s.',
      s.rounds
    ), {
      accuracy: fp.percent(s.accuracy), rounds: s.rounds, ai: fp.percent(s.ai_accuracy),
      wins: s.wins, draws: s.draws, losses: s.losses, streak: s.longest_streak
    }, true));
  }

  /* ---------------------------------------------------------------
   * Polling
   * ------------------------------------------------------------- */

  function schedule() {
    clearTimeout(state.timer);
    if (!state.stopped) state.timer = setTimeout(poll, POLL_MS);
  }

  function failure(message) {
    var error = new Error(message);
    error.user_message = message;
    return error;
  }

  function poll() {
    if (state.stopped) return;
    if (state.inflight) { state.again = true; return; }
    clearTimeout(state.timer);
    // A hidden tab does not poll; it catches up when shown again.
    if (document.hidden) { schedule(); return; }
    state.inflight = true;
    var period = state.period;
    var headers = { Accept: 'application/json' };
    if (state.etag) headers['If-None-Match'] = state.etag;
    window.fetch(fp.API + 'scoreboard/?period=' + encodeURIComponent(period), {
      credentials: 'same-origin', cache: 'no-store', headers: headers
    }).then(function (response) {
      // Read the (empty) body even so: an unread response is cancelled, which
      // the browser reports as an aborted request.
      if (response.status === 304) return response.text().then(function () { return false; });
      if (response.status === 401 || response.status === 403) {
        state.stopped = true;
        throw failure(gettext('Your session has ended. Reload the page to log in again.'));
      }
      if (!response.ok) {
        return response.json().catch(function () { return null; }).then(function (body) {
          throw failure(body && body.error && body.error.message
            ? body.error.message
            : gettext('The scoreboard could not be loaded; retrying.'));
        });
      }
      var etag = response.headers.get('ETag');
      return response.json().then(function (board) {
        if (period !== state.period) return false;  // the period changed meanwhile
        state.etag = etag;
        render(board);
        return true;
      });
    }).then(function (changed) {
      var status = az.select('board_status', 1);
      if (changed || status.dataset.kind !== 'ok') {
        fp.status('board_status', interpolate(gettext('Live: updated at %(time)s'), {
          time: new Date().toLocaleTimeString(document.documentElement.lang || undefined)
        }, true), 'ok');
      }
      if (changed) refresh_me();
    }).catch(function (error) {
      fp.status('board_status', error.user_message ||
        gettext('Could not reach the server; retrying.'), 'error');
    }).then(function () {
      state.inflight = false;
      if (state.again) { state.again = false; poll(); } else { schedule(); }
    });
  }

  // Two refreshes can overlap: only the latest one's answer is shown.
  function refresh_me() {
    var mine = state.me_request += 1;
    fp.api({
      url: fp.API + 'me/',
      done: function (me) { if (mine === state.me_request) render_me(me); }
    }, 'board_status');
  }

  fp.scoreboard.score_note = score_note;

  az.add_wrapped_function({
    name: 'build_scoreboard',
    function: function (section, title) {
      build(section, title);
      document.addEventListener('visibilitychange', function () {
        if (!document.hidden) poll();
      });
      poll();
    }
  });

  // Called after the trainee answers a round: no need to wait for the next tick.
  az.add_wrapped_function({ name: 'refresh_scoreboard', function: function () { poll(); } });
})();
