/*
 * scoreboard_table.js — the Scoreboard section's table: one row per
 * trainee (rank, score, rounds, accuracy next to the AI's, wins per
 * opponent...), the current trainee marked, the trainees not ranked yet
 * last under their own heading. The words are pure and exported as
 * fp.scoreboard for the node tests.
 */
(function () {
  'use strict';

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

  function build_table(section) {
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

  function render_table(board) {
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

  fp.scoreboard = {
    levels_text: levels_text,
    levels_description: levels_description,
    cell_text: cell_text,
    build_table: build_table,
    render_table: render_table
  };
})();
