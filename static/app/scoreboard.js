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
  var state = { period: 'all', etag: null, timer: null, inflight: false, again: false, stopped: false };

  var COLUMNS = [
    ['rank', function () { return gettext('Rank'); }],
    ['name', function () { return gettext('Trainee'); }],
    ['store', function () { return gettext('Store'); }],
    ['score', function () { return gettext('Score'); }],
    ['sessions', function () { return gettext('Challenges'); }],
    ['rounds', function () { return gettext('Rounds'); }],
    ['accuracy', function () { return gettext('Right'); }],
    ['ai_accuracy', function () { return gettext('AI, same rounds'); }],
    ['record', function () { return gettext('Won · drawn · lost'); }],
    ['levels', function () { return gettext('Won per opponent'); }],
    ['longest_streak', function () { return gettext('Best streak'); }],
    ['last_activity', function () { return gettext('Last played'); }]
  ];

  // "Apprentice 2/3 · Botanist 0/1": challenges won of those played, per
  // level played at all.
  function levels_text(levels) {
    var parts = fp.LEVELS.filter(function (level) {
      return levels && levels[level] && levels[level].sessions > 0;
    }).map(function (level) {
      return interpolate(gettext('%(level)s %(wins)s/%(sessions)s'), {
        level: fp.level_name(level), wins: levels[level].wins, sessions: levels[level].sessions
      }, true);
    });
    return parts.length ? parts.join(' · ') : '—';
  }

  // The same in full, for the cell's title and screen readers.
  function levels_description(levels) {
    return fp.LEVELS.filter(function (level) {
      return levels && levels[level] && levels[level].sessions > 0;
    }).map(function (level) {
      var l = levels[level];
      return interpolate(gettext('%(level)s: %(wins)s won, %(draws)s drawn, %(losses)s lost'), {
        level: fp.level_name(level), wins: l.wins, draws: l.draws, losses: l.losses
      }, true);
    }).join('; ');
  }

  function score_note(board) {
    if (board.min_rounds === null || board.min_rounds === undefined) return '';
    return interpolate(ngettext(
      'Ranked by score: a cautious accuracy that grows with the rounds played. At least %(n)s round to be ranked.',
      'Ranked by score: a cautious accuracy that grows with the rounds played. At least %(n)s rounds to be ranked.',
      board.min_rounds
    ), { n: board.min_rounds }, true);
  }

  function cell_text(column, row) {
    switch (column) {
      case 'rank': return row.rank === null || row.rank === undefined ? '—' : String(row.rank);
      case 'name':
        return row.user_id === fp.config.user_id
          ? interpolate(gettext('%(name)s (you)'), { name: row.display_name || row.username }, true)
          : (row.display_name || row.username);
      // An unranked trainee's score cell says why there is no score.
      case 'score': return row.ranked ? fp.fixed(row.score, 2) : (row.unranked_reason || '—');
      case 'accuracy': return fp.percent(row.accuracy);
      case 'ai_accuracy': return fp.percent(row.ai_accuracy);
      case 'record': return row.wins + ' · ' + row.draws + ' · ' + row.losses;
      case 'levels': return levels_text(row.levels);
      case 'last_activity': return fp.when(row.last_activity);
      default: return String(row[column] === null || row[column] === undefined ? '—' : row[column]);
    }
  }

  /* ---------------------------------------------------------------
   * Building
   * ------------------------------------------------------------- */

  function build(section) {
    az.add_text(section, 1, {
      this_class: 'scoreboard_title', tag: 'h2', text: gettext('Scoreboard'),
      attributes: { id: 'scoreboard_title' }
    });
    az.add_text(section, 1, {
      this_class: 'scoreboard_intro', tag: 'p',
      text: gettext('How every trainee does against the AI on the same flowers. It updates by itself.')
    });
    az.add_element(section, 1, { this_class: 'board_controls', tag: 'div' });
    az.add_dropdown('board_controls', 1, {
      this_class: 'board_period', label: gettext('Period'), value: 'all',
      options: [
        { value: 'all', label: gettext('All time') },
        { value: '30d', label: gettext('Last 30 days') },
        { value: '7d', label: gettext('Last 7 days') }
      ]
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

    // A focusable, labelled region: keyboard users can scroll a wide table on a phone.
    az.add_element(section, 1, {
      this_class: 'board_table_wrap', tag: 'div',
      attributes: { role: 'region', tabindex: '0', 'aria-labelledby': 'board_caption' }
    });
    az.add_element('board_table_wrap', 1, { this_class: 'board_table', tag: 'table' });
    az.add_text('board_table', 1, {
      this_class: 'board_caption', tag: 'caption', text: gettext('All trainees'),
      attributes: { id: 'board_caption' }
    });
    az.add_element('board_table', 1, { this_class: 'board_head', tag: 'thead' });
    az.add_element('board_head', 1, { this_class: 'board_head_row', tag: 'tr' });
    COLUMNS.forEach(function (column) {
      az.add_element('board_head_row', 1, {
        this_class: 'board_th', tag: 'th', text: column[1](),
        attributes: { scope: 'col', 'data-column': column[0] }
      });
    });
    az.add_element('board_table', 1, { this_class: 'board_body', tag: 'tbody' });
  }

  /* ---------------------------------------------------------------
   * Rendering
   * ------------------------------------------------------------- */

  function render(board) {
    az.hold_value.scoreboard = board;
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

    az.clear('board_body', 1);
    if (!board.trainees.length) {
      az.add_element('board_body', 1, { this_class: 'board_row', tag: 'tr' });
      az.add_element('board_row', 1, {
        this_class: 'board_cell', tag: 'td', text: gettext('No trainees yet.'),
        attributes: { colspan: COLUMNS.length }
      });
      return;
    }
    var rows = 0;
    board.trainees.forEach(function (row, i) {
      // Unranked trainees come last, under their own heading.
      if (!row.ranked && (i === 0 || board.trainees[i - 1].ranked)) {
        az.add_element('board_body', 1, { this_class: 'board_group', tag: 'tr' });
        az.add_element('board_group', az.number_of('board_group'), {
          this_class: 'board_group_title', tag: 'th', text: gettext('Not ranked yet'),
          attributes: { colspan: COLUMNS.length, scope: 'colgroup' }
        });
      }
      var me = row.user_id === fp.config.user_id;
      rows += 1;
      az.add_element('board_body', 1, {
        this_class: 'board_row', tag: 'tr',
        attributes: {
          'aria-current': me ? 'true' : false, 'data-username': row.username,
          'data-ranked': row.ranked ? 'true' : 'false'
        }
      });
      COLUMNS.forEach(function (column) {
        var cell = az.add_element('board_row', rows, {
          this_class: 'board_cell',
          tag: column[0] === 'name' ? 'th' : 'td',
          text: cell_text(column[0], row),
          attributes: { 'data-column': column[0], scope: column[0] === 'name' ? 'row' : false }
        });
        if (column[0] === 'levels' && levels_description(row.levels)) cell.title = levels_description(row.levels);
      });
    });
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
  var me_request = 0;
  function refresh_me() {
    var mine = me_request += 1;
    fp.api({
      url: fp.API + 'me/',
      done: function (me) { if (mine === me_request) render_me(me); }
    }, 'board_status');
  }

  fp.scoreboard = { levels_text: levels_text, levels_description: levels_description, score_note: score_note, cell_text: cell_text };

  az.add_wrapped_function({
    name: 'build_scoreboard',
    function: function (section) {
      build(section);
      document.addEventListener('visibilitychange', function () {
        if (!document.hidden) poll();
      });
      poll();
    }
  });

  // Called after the trainee answers a round: no need to wait for the next tick.
  az.add_wrapped_function({ name: 'refresh_scoreboard', function: function () { poll(); } });
})();
